package localfs

import (
	"net/http"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// ErrURLExpired answers a signed URL whose signature is right and whose
// time is up (403 storage.url_expired).
var ErrURLExpired = kernel.Forbidden("storage.url_expired", "This link has expired.")

// Handler serves GET and HEAD /uploads/{key...}: a public object to
// anyone, a private one only at a signed URL until it expires (by
// Options.Now). An invalid key, a missing object, and a private object without
// a valid signature are all 404 storage.not_found, so nothing tells a
// private key from a missing one; a valid but expired signature is 403
// storage.url_expired. Every object goes with its stored content type,
// X-Content-Type-Options: nosniff and a CSP that runs nothing, and its
// content-addressed key as ETag.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		f, m, info, err := p.openObject(key)
		if err != nil {
			web.WriteProblem(w, r, err)
			return
		}
		defer f.Close()
		cache := application.PublicCacheControl
		if m.Private {
			q := r.URL.Query()
			valid, live := p.verify(key, q.Get("expires"), q.Get("signature"), p.opts.Now())
			switch {
			case !valid:
				web.WriteProblem(w, r, application.ErrNotFound)
				return
			case !live:
				web.WriteProblem(w, r, ErrURLExpired)
				return
			}
			cache = application.PrivateCacheControl
		}
		h := w.Header()
		h.Set("Content-Type", info.ContentType)
		h.Set("Cache-Control", cache)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("ETag", `"`+strings.ReplaceAll(key, "/", "-")+`"`)
		http.ServeContent(w, r, "", time.Time{}, f)
	})
}
