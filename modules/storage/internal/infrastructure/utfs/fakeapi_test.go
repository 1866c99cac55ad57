package utfs_test

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
	testAppID  = "a1b2c3d4e5"
	testAPIKey = "sk_live_0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff"
)

// testToken is UPLOADTHING_TOKEN for apiKey and testAppID, as the
// dashboard issues it.
func testToken(apiKey string) string {
	b, _ := json.Marshal(map[string]any{"apiKey": apiKey, "appId": testAppID, "regions": []string{"sea1"}})
	return base64.StdEncoding.EncodeToString(b)
}

// fakeFile is a file as the fake holds it.
type fakeFile struct {
	key, customID, name, contentType, acl, disposition string
	body                                               []byte
	uploaded                                           time.Time
}

// apiCall is one API request the fake received.
type apiCall struct {
	path    string
	headers http.Header
	body    map[string]any
}

// fakeUT speaks the slice of UploadThing's protocol the adapter uses, on
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
type fakeUT struct {
	t      *testing.T
	apiKey string
	// now is the fake's clock; it defaults to the wall clock.
	now func() time.Time
	// fail, when it returns true, has answered the request instead of the
	// fake (any of the three hosts).
	fail func(w http.ResponseWriter, r *http.Request) bool

	api, ingest, ufs *httptest.Server

	mu       sync.Mutex
	files    map[string]*fakeFile // by file key
	calls    []apiCall
	requests int // to any of the three hosts
}

func newFakeUT(t *testing.T) *fakeUT {
	t.Helper()
	f := &fakeUT{t: t, apiKey: testAPIKey, now: time.Now, files: map[string]*fakeFile{}}
	f.api = httptest.NewServer(f.guard(f.serveAPI))
	f.ingest = httptest.NewServer(f.guard(f.serveIngest))
	f.ufs = httptest.NewServer(f.guard(f.serveFiles))
	t.Cleanup(f.api.Close)
	t.Cleanup(f.ingest.Close)
	t.Cleanup(f.ufs.Close)
	return f
}

func (f *fakeUT) guard(h http.HandlerFunc) http.HandlerFunc {
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
func (f *fakeUT) setFail(fn func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

// utError answers UploadThing's error body.
func utError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeUT) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		utError(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		utError(w, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{path: r.URL.Path, headers: r.Header.Clone(), body: body})
	f.mu.Unlock()
	if !hmac.Equal([]byte(r.Header.Get("x-uploadthing-api-key")), []byte(f.apiKey)) {
		utError(w, http.StatusUnauthorized, "Invalid API key")
		return
	}
	if r.Header.Get("x-uploadthing-version") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		utError(w, http.StatusBadRequest, "Missing x-uploadthing-version or JSON content type")
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
		utError(w, http.StatusNotFound, "Not found")
	}
}

func (f *fakeUT) prepareUpload(w http.ResponseWriter, raw []byte) {
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
		utError(w, http.StatusBadRequest, "fileName and fileSize are required")
		return
	}
	if in.ACL != "" && in.ACL != "public-read" && in.ACL != "private" {
		utError(w, http.StatusBadRequest, "Invalid acl")
		return
	}
	if in.ContentDisposition != "" && in.ContentDisposition != "inline" && in.ContentDisposition != "attachment" {
		utError(w, http.StatusBadRequest, "Invalid contentDisposition")
		return
	}
	cid := ""
	if in.CustomID != nil {
		cid = *in.CustomID
	}
	if len(cid) > 128 {
		utError(w, http.StatusBadRequest, "customId is too long")
		return
	}
	if cid != "" && f.byCustomID(cid) != nil {
		utError(w, http.StatusBadRequest, "customId is already in use")
		return
	}
	ttl := time.Hour
	if in.ExpiresIn > 0 {
		ttl = time.Duration(in.ExpiresIn) * time.Second
	}
	key := "fk" + randomHex(16)
	q := url.Values{}
	q.Set("expires", strconv.FormatInt(f.now().Add(ttl).UnixMilli(), 10))
	q.Set("x-ut-identifier", testAppID)
	q.Set("x-ut-file-name", in.FileName)
	q.Set("x-ut-file-size", strconv.FormatInt(*in.FileSize, 10))
	q.Set("x-ut-file-type", in.FileType)
	q.Set("x-ut-custom-id", cid)
	q.Set("x-ut-content-disposition", in.ContentDisposition)
	q.Set("x-ut-acl", in.ACL)
	unsigned := f.ingest.URL + "/" + key + "?" + q.Encode()
	writeJSON(w, map[string]string{"key": key, "url": unsigned + "&signature=" + url.QueryEscape(f.signature(unsigned))})
}

func (f *fakeUT) deleteFiles(w http.ResponseWriter, raw []byte) {
	var in struct {
		FileKeys  []string `json:"fileKeys"`
		CustomIDs []string `json:"customIds"`
	}
	if err := json.Unmarshal(raw, &in); err != nil || (len(in.FileKeys) == 0 && len(in.CustomIDs) == 0) {
		utError(w, http.StatusBadRequest, "fileKeys or customIds is required")
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

func (f *fakeUT) listFiles(w http.ResponseWriter, raw []byte) {
	var in struct {
		Limit  *int `json:"limit"`
		Offset int  `json:"offset"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		utError(w, http.StatusBadRequest, "Invalid body")
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
func (f *fakeUT) serveIngest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		utError(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	q, ok := f.verify(w, r)
	if !ok {
		return
	}
	if q.Get("x-ut-identifier") != testAppID {
		utError(w, http.StatusForbidden, "Invalid identifier")
		return
	}
	if rg := r.Header.Get("Range"); rg != "" && rg != "bytes=0-" {
		utError(w, http.StatusRequestedRangeNotSatisfiable, "Nothing to resume")
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	size, _ := strconv.Atoi(q.Get("x-ut-file-size"))
	part, _, err := r.FormFile("file")
	if err != nil {
		utError(w, http.StatusBadRequest, "Missing file field")
		return
	}
	body, err := io.ReadAll(part)
	if err != nil || len(body) != size {
		utError(w, http.StatusBadRequest, fmt.Sprintf("File size mismatch: got %d bytes, expected %d", len(body), size))
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
		utError(w, http.StatusConflict, "File key already uploaded")
		return
	}
	for _, other := range f.files {
		if file.customID != "" && other.customID == file.customID {
			f.mu.Unlock()
			utError(w, http.StatusBadRequest, "customId is already in use")
			return
		}
	}
	f.files[key] = file
	f.mu.Unlock()
	sum := sha256.Sum256(body)
	u := f.ufs.URL + "/f/" + key
	writeJSON(w, map[string]any{"url": u, "appUrl": u, "ufsUrl": u, "fileHash": hex.EncodeToString(sum[:]), "serverData": nil})
}

// serveFiles is the file host: GET /f/{fileKey or customId}.
func (f *fakeUT) serveFiles(w http.ResponseWriter, r *http.Request) {
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
func (f *fakeUT) verify(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	unsignedQuery, sig, found := strings.Cut(r.URL.RawQuery, "&signature=")
	if !found || strings.Contains(sig, "&") {
		utError(w, http.StatusForbidden, "Missing signature")
		return nil, false
	}
	sig, err := url.QueryUnescape(sig)
	unsigned := "http://" + r.Host + r.URL.EscapedPath() + "?" + unsignedQuery
	if err != nil || !hmac.Equal([]byte(sig), []byte(f.signature(unsigned))) {
		utError(w, http.StatusForbidden, "Invalid signature")
		return nil, false
	}
	q, err := url.ParseQuery(unsignedQuery)
	if err != nil {
		utError(w, http.StatusBadRequest, "Invalid query")
		return nil, false
	}
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || f.now().UnixMilli() > expires {
		utError(w, http.StatusForbidden, "URL expired")
		return nil, false
	}
	return q, true
}

func (f *fakeUT) signature(unsigned string) string {
	mac := hmac.New(sha256.New, []byte(f.apiKey))
	mac.Write([]byte(unsigned))
	return "hmac-sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (f *fakeUT) byCustomID(cid string) *fakeFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byCustomIDLocked(cid)
}

func (f *fakeUT) byCustomIDLocked(cid string) *fakeFile {
	for _, file := range f.files {
		if file.customID == cid {
			return file
		}
	}
	return nil
}

// callsTo returns the API requests to path so far.
func (f *fakeUT) callsTo(path string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.path == path {
			out = append(out, c)
		}
	}
	return out
}

// requestCount is how many requests the fake received, on any host.
func (f *fakeUT) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// filesWithCustomID is how many live files hold cid.
func (f *fakeUT) filesWithCustomID(cid string) int {
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
