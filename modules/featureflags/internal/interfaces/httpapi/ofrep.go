package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/groundworkhq/groundwork/modules/featureflags/internal/application"
)

// OFREP (the OpenFeature Remote Evaluation Protocol) answers in its own
// shapes, not problems: an evaluation {key, value, reason, variant,
// metadata}, an error {key, errorCode, errorDetails}. The evaluation
// context in the body is read only to check it is well formed: whom a
// flag is evaluated for comes from the session, so no client can claim
// another user's or organization's targetingKey.

type ofrepRequest struct {
	Context json.RawMessage `json:"context"`
}

type ofrepEvaluation struct {
	Key      string         `json:"key"`
	Value    any            `json:"value"`
	Reason   string         `json:"reason"`
	Variant  string         `json:"variant"`
	Metadata map[string]any `json:"metadata"`
}

type ofrepError struct {
	Key          string `json:"key,omitempty"`
	ErrorCode    string `json:"errorCode"`
	ErrorDetails string `json:"errorDetails"`
}

// maxOFREPBody bounds a request's body.
const maxOFREPBody = 64 << 10

// readOFREP checks the request's body: empty, or a JSON object whose
// context, if any, is an object. It returns the OFREP error code and
// details, or "".
func readOFREP(r *http.Request) (code, details string) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxOFREPBody+1))
	if err != nil || len(b) > maxOFREPBody {
		return "PARSE_ERROR", "The body could not be read or is too large."
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", ""
	}
	var req ofrepRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return "INVALID_CONTEXT", "The body must be an object with an object \"context\"."
		}
		return "PARSE_ERROR", "The body is not valid JSON."
	}
	if dec.More() {
		return "PARSE_ERROR", "The body holds more than one JSON value."
	}
	if c := bytes.TrimSpace(req.Context); len(c) > 0 && string(c) != "null" && c[0] != '{' {
		return "INVALID_CONTEXT", "The context must be an object."
	}
	return "", ""
}

func writeOFREP(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ofrepJSON(e application.Evaluation) ofrepEvaluation {
	return ofrepEvaluation{Key: e.Key, Value: e.Value, Reason: e.Reason, Variant: e.Variant, Metadata: map[string]any{"type": string(e.Type)}}
}

// ofrepOne serves POST /ofrep/v1/evaluate/flags/{key}: one client-visible
// flag, 404 FLAG_NOT_FOUND for any other key.
func (h *Handler) ofrepOne(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if code, details := readOFREP(r); code != "" {
		writeOFREP(w, http.StatusBadRequest, ofrepError{Key: key, ErrorCode: code, ErrorDetails: details})
		return
	}
	e, err := h.svc.Evaluate(r.Context(), key, true)
	if err != nil {
		writeOFREP(w, http.StatusNotFound, ofrepError{Key: key, ErrorCode: "FLAG_NOT_FOUND", ErrorDetails: "There is no such flag."})
		return
	}
	writeOFREP(w, http.StatusOK, ofrepJSON(e))
}

// ofrepBulk serves POST /ofrep/v1/evaluate/flags: every client-visible
// flag, with an ETag of the answer; If-None-Match with it is a 304.
func (h *Handler) ofrepBulk(w http.ResponseWriter, r *http.Request) {
	if code, details := readOFREP(r); code != "" {
		writeOFREP(w, http.StatusBadRequest, ofrepError{ErrorCode: code, ErrorDetails: details})
		return
	}
	evals := h.svc.EvaluateVisible(r.Context())
	flags := make([]ofrepEvaluation, len(evals))
	for i, e := range evals {
		flags[i] = ofrepJSON(e)
	}
	body, _ := json.Marshal(map[string]any{"flags": flags})
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Vary", "Cookie")
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(body, '\n'))
}
