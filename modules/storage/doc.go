// Package storage keeps files: users' avatars, organizations' logos and
// products' own files, through one Provider port with four adapters
// (STORAGE_PROVIDER): null (every upload is 503 storage.unavailable),
// local (files under DATA_DIR/uploads, served at /uploads/), s3 (any
// S3-compatible bucket) and uploadthing.
//
// Avatars and logos. PUT /api/users/me/avatar and PUT
// /api/organizations/{id}/logo (organization:update) take the image as
// the multipart field "file" or as the raw body, at most UPLOAD_MAX_BYTES.
// The type is sniffed from the bytes (PNG, JPEG, WebP, GIF; anything else
// is 415), the dimensions are read before decoding (over 8000 × 8000 is
// refused), and the image is resized to fit 512 × 512 and re-encoded,
// which drops its metadata. Its key is content-addressed
// (avatars/{userId}-{sha256:16}.{ext}), so the object never changes and
// is cached forever. The user's image (or the organization's logo) points
// at it in one transaction with the record that it is live; the one it
// replaces is deleted by a job after commit.
//
// Objects' lives. Every object is recorded in storage_objects before it is
// stored (pending), made live in the transaction that uses it, doomed when
// replaced or its owner deleted, and deleted by the storage-delete-object
// job, retried until done. A job never deletes an object an upload has
// claimed again (same bytes, same key), and an upload waits for a job
// already deleting its key. Uploads that died between claiming and using
// their object are swept every half hour.
//
// Products' files. PutFile, OpenFile, FileInfo, DeleteFile, FileURL and
// SignedFileURL keep an organization's files, private by default; the
// local provider serves a private file only at a URL signed with
// HMAC-SHA256, until it expires.
package storage
