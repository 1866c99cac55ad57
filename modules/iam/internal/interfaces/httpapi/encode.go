package httpapi

import "github.com/groundworkhq/groundwork/web"

// get-session answers every authenticated page load of a front end, so its
// body is encoded by hand and handed to huma as bytes, skipping
// encoding/json's reflection and its re-scan of Marshaler output. The
// output is byte for byte what encoding/json writes (tested).

func (b *sessionBody) appendJSON(buf []byte) []byte {
	buf = append(buf, `{"session":`...)
	buf = b.Session.appendJSON(buf)
	buf = append(buf, `,"user":`...)
	buf = b.User.appendJSON(buf)
	return append(buf, '}')
}

func (u *User) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, u.ID)
	b = append(b, `,"email":`...)
	b = appendString(b, u.Email)
	b = append(b, `,"emailVerified":`...)
	b = appendBool(b, u.EmailVerified)
	b = append(b, `,"name":`...)
	b = appendString(b, u.Name)
	b = append(b, `,"image":`...)
	b = appendNullable(b, u.Image)
	b = append(b, `,"createdAt":`...)
	b = u.CreatedAt.appendJSON(b)
	b = append(b, `,"updatedAt":`...)
	b = u.UpdatedAt.appendJSON(b)
	b = append(b, `,"username":`...)
	b = appendNullable(b, u.Username)
	b = append(b, `,"locale":`...)
	b = appendNullable(b, u.Locale)
	b = append(b, `,"active":`...)
	b = appendBool(b, u.Active)
	return append(b, '}')
}

func (s *Session) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, s.ID)
	b = append(b, `,"userId":`...)
	b = appendString(b, s.UserID)
	b = append(b, `,"token":`...)
	b = appendString(b, s.Token)
	b = append(b, `,"expiresAt":`...)
	b = s.ExpiresAt.appendJSON(b)
	b = append(b, `,"createdAt":`...)
	b = s.CreatedAt.appendJSON(b)
	b = append(b, `,"updatedAt":`...)
	b = s.UpdatedAt.appendJSON(b)
	b = append(b, `,"ipAddress":`...)
	b = appendNullable(b, s.IPAddress)
	b = append(b, `,"userAgent":`...)
	b = appendNullable(b, s.UserAgent)
	if s.ImpersonatedBy != nil {
		b = append(b, `,"impersonatedBy":`...)
		b = appendString(b, *s.ImpersonatedBy)
	}
	return append(b, '}')
}

func (t Time) appendJSON(b []byte) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, jsTimeLayout)
	return append(b, '"')
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

func appendNullable(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

func appendString(b []byte, s string) []byte { return web.AppendJSONString(b, s) }
