package utfs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// sdkVersion is the x-uploadthing-version the adapter sends: the release
// of UploadThing's v7 TypeScript SDK whose protocol it speaks.
const sdkVersion = "7.7.4"

// beAdapter is the x-uploadthing-be-adapter the adapter sends, the value
// UploadThing's own server SDK (UTApi) sends.
const beAdapter = "server-sdk"

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// APIError is a non-2xx answer from UploadThing: its API, its ingest
// server or its file host. Endpoint names the request ("POST
// /v7/prepareUpload", "PUT ingest", "GET file"); Code and Message are what
// UploadThing's JSON error body said, when it said it.
type APIError struct {
	Endpoint   string
	StatusCode int
	Code       string
	Message    string
}

// Error names the endpoint, the status and UploadThing's code and message;
// on 401 and 403 it adds that the key in UPLOADTHING_TOKEN was refused.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "uploadthing %s: HTTP %d", e.Endpoint, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden {
		b.WriteString(" (the API key in UPLOADTHING_TOKEN was refused, or a URL signed with it)")
	}
	return b.String()
}

// call POSTs in as JSON to the API's path and decodes a 2xx answer into
// out (when out is not nil). A non-2xx answer is an *APIError.
func (p *Provider) call(ctx context.Context, path string, in, out any) error {
	endpoint := "POST " + path
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("uploadthing %s: encode the request: %w", endpoint, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.apiBase+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("uploadthing %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-uploadthing-api-key", p.token.APIKey)
	req.Header.Set("x-uploadthing-version", sdkVersion)
	req.Header.Set("x-uploadthing-be-adapter", beAdapter)
	res, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("uploadthing %s: %w", endpoint, err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return p.apiError(endpoint, res)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxErrorBody))
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("uploadthing %s: decode the answer: %w", endpoint, err)
	}
	return nil
}

// apiError reads UploadThing's error body: JSON with "error" (a message,
// or an object with "code" and "message"), "message" and "code", as its
// SDKs read it, or else plain text.
func (p *Provider) apiError(endpoint string, res *http.Response) *APIError {
	e := &APIError{Endpoint: endpoint, StatusCode: res.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Code    string          `json:"code"`
	}
	if json.Unmarshal(raw, &body) == nil {
		e.Code, e.Message = body.Code, body.Message
		var msg string
		var nested struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(body.Error, &msg) == nil && msg != "":
			if e.Message == "" {
				e.Message = msg
			} else if msg != e.Message {
				e.Message = msg + ": " + e.Message
			}
		case json.Unmarshal(body.Error, &nested) == nil:
			if e.Code == "" {
				e.Code = nested.Code
			}
			if e.Message == "" {
				e.Message = nested.Message
			}
		}
	} else {
		e.Message = strings.TrimSpace(string(raw))
		if len(e.Message) > 300 {
			e.Message = e.Message[:300] + "…"
		}
	}
	e.Code, e.Message = p.scrub(e.Code), p.scrub(e.Message)
	return e
}

// scrub takes the API key out of text UploadThing sent back, should it
// ever echo it.
func (p *Provider) scrub(s string) string {
	return strings.ReplaceAll(s, p.token.APIKey, kernel.Redacted)
}
