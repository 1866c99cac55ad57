// Package utfstest is a fake UploadThing for tests: the slice of its
// protocol the utfs adapter speaks (the API, the ingest host and the file
// host), on three httptest servers. Point UPLOADTHING_API_BASE at API's
// URL and UPLOADTHING_FILE_HOST at Files' URL, with Token(APIKey) as
// UPLOADTHING_TOKEN.
package utfstest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	AppID  = "a1b2c3d4e5"
	APIKey = "sk_live_0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff"
)

// Token is UPLOADTHING_TOKEN for apiKey and AppID, as the
// dashboard issues it.
func Token(apiKey string) string {
	b, _ := json.Marshal(map[string]any{"apiKey": apiKey, "appId": AppID, "regions": []string{"sea1"}})
	return base64.StdEncoding.EncodeToString(b)
}

// fakeFile is a file as the fake holds it.
type fakeFile struct {
	key, customID, name, contentType, acl, disposition string
	body                                               []byte
	uploaded                                           time.Time
}

// Call is one API request the fake received.
type Call struct {
	Path    string
	Headers http.Header
	Body    map[string]any
}

// Fake speaks the slice of UploadThing's protocol the adapter uses, on
// three servers as UploadThing has three hosts:
//
//   - api (api.uploadthing.com): POST /v7/prepareUpload, /v6/deleteFiles,
//     /v6/listFiles, authenticated by x-uploadthing-api-key (a wrong key is
//     401 with UploadThing's {"error": …} body);
//   - ingest ({region}.ingest.uploadthing.com): PUT /{fileKey}?… at the
//     URL prepareUpload presigned, whose expiry and HMAC-SHA256 signature
//     (under the API key) it verifies, with the bytes as the multipart
//     field "file" of exactly x-ut-file-size bytes;
//   - ufs ({appId}.ufs.sh): GET /f/{fileKey or customId}, public files to
//     anyone, private ones only with an unexpired, valid expires+signature.
//
// A customId names at most one live file: prepareUpload and the upload
// refuse one that is taken, and it is free again once its file is deleted.
type Fake struct {
	t      testing.TB
	apiKey string
	// now is the fake's clock; it defaults to the wall clock.
	now func() time.Time
	// fail, when it returns true, has answered the request instead of the
	// fake (any of the three hosts).
	fail func(w http.ResponseWriter, r *http.Request) bool

	// API, Ingest and Files are the three hosts.
	API, Ingest, Files *httptest.Server

	mu       sync.Mutex
	files    map[string]*fakeFile // by file key
	calls    []Call
	requests int // to any of the three hosts
}

func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{t: t, apiKey: APIKey, now: time.Now, files: map[string]*fakeFile{}}
	f.API = httptest.NewServer(f.guard(f.serveAPI))
	f.Ingest = httptest.NewServer(f.guard(f.serveIngest))
	f.Files = httptest.NewServer(f.guard(f.serveFiles))
	t.Cleanup(f.API.Close)
	t.Cleanup(f.Ingest.Close)
	t.Cleanup(f.Files.Close)
	return f
}

func (f *Fake) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fail := f.fail
		f.requests++
		f.mu.Unlock()
		if fail != nil && fail(w, r) {
			return
		}
		h(w, r)
	}
}

// setFail installs (or, with nil, removes) the failure hook.
func (f *Fake) SetFail(fn func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

// Error answers UploadThing's error body.
func Error(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		Error(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		Error(w, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, Call{Path: r.URL.Path, Headers: r.Header.Clone(), Body: body})
	f.mu.Unlock()
	if !hmac.Equal([]byte(r.Header.Get("x-uploadthing-api-key")), []byte(f.apiKey)) {
		Error(w, http.StatusUnauthorized, "Invalid API key")
		return
	}
	if r.Header.Get("x-uploadthing-version") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		Error(w, http.StatusBadRequest, "Missing x-uploadthing-version or JSON content type")
		return
	}
	switch r.URL.Path {
	case "/v7/prepareUpload":
		f.prepareUpload(w, raw)
	case "/v6/deleteFiles":
		f.deleteFiles(w, raw)
	case "/v6/listFiles":
		f.listFiles(w, raw)
	default:
		Error(w, http.StatusNotFound, "Not found")
	}
}

func (f *Fake) prepareUpload(w http.ResponseWriter, raw []byte) {
	var in struct {
		FileName           string  `json:"fileName"`
		FileSize           *int64  `json:"fileSize"`
		FileType           string  `json:"fileType"`
		CustomID           *string `json:"customId"`
		ContentDisposition string  `json:"contentDisposition"`
		ACL                string  `json:"acl"`
		ExpiresIn          int     `json:"expiresIn"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || in.FileName == "" || in.FileSize == nil || *in.FileSize < 0 {
		Error(w, http.StatusBadRequest, "fileName and fileSize are required")
		return
	}
	if in.ACL != "" && in.ACL != "public-read" && in.ACL != "private" {
		Error(w, http.StatusBadRequest, "Invalid acl")
		return
	}
	if in.ContentDisposition != "" && in.ContentDisposition != "inline" && in.ContentDisposition != "attachment" {
		Error(w, http.StatusBadRequest, "Invalid contentDisposition")
		return
	}
	cid := ""
	if in.CustomID != nil {
		cid = *in.CustomID
	}
	if len(cid) > 128 {
		Error(w, http.StatusBadRequest, "customId is too long")
		return
	}
	if cid != "" && f.byCustomID(cid) != nil {
		Error(w, http.StatusBadRequest, "customId is already in use")
		return
	}
	ttl := time.Hour
	if in.ExpiresIn > 0 {
		ttl = time.Duration(in.ExpiresIn) * time.Second
	}
	key := "fk" + randomHex(16)
	q := url.Values{}
	q.Set("expires", strconv.FormatInt(f.now().Add(ttl).UnixMilli(), 10))
	q.Set("x-ut-identifier", AppID)
	q.Set("x-ut-file-name", in.FileName)
	q.Set("x-ut-file-size", strconv.FormatInt(*in.FileSize, 10))
	q.Set("x-ut-file-type", in.FileType)
	q.Set("x-ut-custom-id", cid)
	q.Set("x-ut-content-disposition", in.ContentDisposition)
	q.Set("x-ut-acl", in.ACL)
	unsigned := f.Ingest.URL + "/" + key + "?" + q.Encode()
	writeJSON(w, map[string]string{"key": key, "url": unsigned + "&signature=" + url.QueryEscape(f.signature(unsigned))})
}

func (f *Fake) deleteFiles(w http.ResponseWriter, raw []byte) {
	var in struct {
		FileKeys  []string `json:"fileKeys"`
		CustomIDs []string `json:"customIds"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || (len(in.FileKeys) == 0 && len(in.CustomIDs) == 0) {
		Error(w, http.StatusBadRequest, "fileKeys or customIds is required")
		return
	}
	f.mu.Lock()
	n := 0
	for k, file := range f.files {
		for _, want := range in.FileKeys {
			if k == want {
				delete(f.files, k)
				n++
			}
		}
		for _, want := range in.CustomIDs {
			if file.customID != "" && file.customID == want {
				delete(f.files, k)
				n++
			}
		}
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"success": true, "deletedCount": n})
}

func (f *Fake) listFiles(w http.ResponseWriter, raw []byte) {
	var in struct {
		Limit  *int `json:"limit"`
		Offset int  `json:"offset"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		Error(w, http.StatusBadRequest, "Invalid body")
		return
	}
	limit := 500
	if in.Limit != nil {
		limit = *in.Limit
	}
	f.mu.Lock()
	files := []map[string]any{}
	i := 0
	for _, file := range f.files {
		if i >= in.Offset && len(files) < limit {
			var cid any
			if file.customID != "" {
				cid = file.customID
			}
			files = append(files, map[string]any{"id": file.key, "key": file.key, "customId": cid, "name": file.name, "size": len(file.body), "status": "Uploaded", "uploadedAt": file.uploaded.UnixMilli()})
		}
		i++
	}
	hasMore := i > in.Offset+len(files)
	f.mu.Unlock()
	writeJSON(w, map[string]any{"hasMore": hasMore, "files": files})
}

// serveIngest takes the PUT of a file to a URL prepareUpload presigned.
func (f *Fake) serveIngest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		Error(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	q, ok := f.verify(w, r)
	if !ok {
		return
	}
	if q.Get("x-ut-identifier") != AppID {
		Error(w, http.StatusForbidden, "Invalid identifier")
		return
	}
	if rg := r.Header.Get("Range"); rg != "" && rg != "bytes=0-" {
		Error(w, http.StatusRequestedRangeNotSatisfiable, "Nothing to resume")
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	size, _ := strconv.Atoi(q.Get("x-ut-file-size"))
	part, _, err := r.FormFile("file")
	if err != nil {
		Error(w, http.StatusBadRequest, "Missing file field")
		return
	}
	body, err := io.ReadAll(part)
	if err != nil || len(body) != size {
		Error(w, http.StatusBadRequest, fmt.Sprintf("File size mismatch: got %d bytes, expected %d", len(body), size))
		return
	}
	file := &fakeFile{
		key: key, customID: q.Get("x-ut-custom-id"), name: q.Get("x-ut-file-name"), contentType: q.Get("x-ut-file-type"),
		acl: q.Get("x-ut-acl"), disposition: q.Get("x-ut-content-disposition"), body: body, uploaded: f.now(),
	}
	if file.acl == "" {
		file.acl = "public-read"
	}
	f.mu.Lock()
	if _, dup := f.files[key]; dup {
		f.mu.Unlock()
		Error(w, http.StatusConflict, "File key already uploaded")
		return
	}
	for _, other := range f.files {
		if file.customID != "" && other.customID == file.customID {
			f.mu.Unlock()
			Error(w, http.StatusBadRequest, "customId is already in use")
			return
		}
	}
	f.files[key] = file
	f.mu.Unlock()
	sum := sha256.Sum256(body)
	u := f.Files.URL + "/f/" + key
	writeJSON(w, map[string]any{"url": u, "appUrl": u, "ufsUrl": u, "fileHash": hex.EncodeToString(sum[:]), "serverData": nil})
}

// serveFiles is the file host: GET /f/{fileKey or customId}.
func (f *Fake) serveFiles(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/f/")
	if !ok || id == "" {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	file := f.files[id]
	if file == nil {
		file = f.byCustomIDLocked(id)
	}
	f.mu.Unlock()
	if file == nil {
		http.NotFound(w, r)
		return
	}
	if file.acl == "private" {
		if _, ok := f.verify(w, r); !ok {
			return
		}
	}
	w.Header().Set("Content-Type", file.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(file.body)))
	w.Header().Set("Content-Disposition", file.disposition)
	if r.Method == http.MethodGet {
		_, _ = w.Write(file.body)
	}
}

// verify checks the request's expires and signature, the last query
// parameter: "hmac-sha256=" and the hexadecimal HMAC-SHA256 under the API
// key of the URL before it. A missing, tampered or expired signature is
// answered 403.
func (f *Fake) verify(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	unsignedQuery, sig, found := strings.Cut(r.URL.RawQuery, "&signature=")
	if !found || strings.Contains(sig, "&") {
		Error(w, http.StatusForbidden, "Missing signature")
		return nil, false
	}
	sig, err := url.QueryUnescape(sig)
	unsigned := "http://" + r.Host + r.URL.EscapedPath() + "?" + unsignedQuery
	if err != nil || !hmac.Equal([]byte(sig), []byte(f.signature(unsigned))) {
		Error(w, http.StatusForbidden, "Invalid signature")
		return nil, false
	}
	q, err := url.ParseQuery(unsignedQuery)
	if err != nil {
		Error(w, http.StatusBadRequest, "Invalid query")
		return nil, false
	}
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || f.now().UnixMilli() > expires {
		Error(w, http.StatusForbidden, "URL expired")
		return nil, false
	}
	return q, true
}

func (f *Fake) signature(unsigned string) string {
	mac := hmac.New(sha256.New, []byte(f.apiKey))
	mac.Write([]byte(unsigned))
	return "hmac-sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (f *Fake) byCustomID(cid string) *fakeFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byCustomIDLocked(cid)
}

func (f *Fake) byCustomIDLocked(cid string) *fakeFile {
	for _, file := range f.files {
		if file.customID == cid {
			return file
		}
	}
	return nil
}

// callsTo returns the API requests to path so far.
func (f *Fake) CallsTo(path string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// requestCount is how many requests the fake received, on any host.
func (f *Fake) RequestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// filesWithCustomID is how many live files hold cid.
func (f *Fake) FilesWithCustomID(cid string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, file := range f.files {
		if file.customID == cid {
			n++
		}
	}
	return n
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
