// Package imaging turns an uploaded avatar or organization logo into an
// image that is safe to serve: Normalize reads at most a fixed number of
// bytes, decides the type from the bytes alone (never from a file name or a
// declared Content-Type), refuses an image whose header declares more
// pixels than allowed before a single pixel is decoded, decodes it, scales
// it down to fit a square box and re-encodes it.
//
// Re-encoding is the point: the result carries nothing of the upload but
// its pixels. EXIF (with GPS position and camera serial numbers), XMP, ICC
// profiles, PNG text chunks, comments and any bytes after the image's end
// (a ZIP or HTML polyglot) are dropped. A JPEG's EXIF Orientation is
// applied to the pixels first, so a phone photo taken in portrait stays
// upright once its EXIF is gone.
//
// JPEG stays JPEG (quality 85). PNG, GIF and WebP become PNG, which keeps
// transparency; the standard library has no WebP encoder. An animated GIF
// becomes its first frame.
//
// The output is deterministic: the same input and options give the same
// bytes with the same Go release, on every architecture (the resampler
// uses integer arithmetic), so callers can content-address it.
//
// The package imports only the standard library and kernel, as every
// domain package does (internal/archtest enforces it). WebP decoding,
// which the standard library lacks, is therefore a port: the caller passes
// golang.org/x/image/webp's functions in Options.WebP.
package imaging
