package server

import (
	"bytes"
	"compress/gzip"
	"math/bits"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"
)

// minGzip is the size below which compressing is not worth it.
const minGzip = 1024

// brotliBest is brotli's highest quality. Its copy of a campaign page is
// about a fifth smaller than gzip's best, at some milliseconds of one core,
// which kept copies spend once each.
const brotliBest = brotli.BestCompression

func gzipBytes(b []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// brotliBytes compresses b at quality with a window just large enough to
// hold all of b: the encoder's tables grow with the window (about 32 MiB to
// clear for its default 4 MiB one at the best quality), and a campaign page
// of some kilobytes compresses the same in a window that fits it.
func brotliBytes(b []byte, quality int) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: quality, LGWin: brotliWindow(len(b))})
	bw.Write(b)
	bw.Close()
	return buf.Bytes()
}

// brotliWindow is the base-2 logarithm of the smallest window that reaches
// back over n bytes (a window of 2^w bytes reaches 2^w-16 of them), at least
// 64 KiB, which the stream's header names in one bit where smaller and larger
// ones take a byte, and at most brotli's 16 MiB.
func brotliWindow(n int) int {
	return min(max(bits.Len(uint(max(n, 0)+15)), 16), 24)
}

// codingWeight is how much the request's Accept-Encoding (RFC 9110, 12.5.3)
// wants coding: its q-value (1 when none is given), the q-value of "*" when
// coding is not named, and 0 when it is refused (q=0) or not accepted.
// Names are compared without regard to case; x-gzip is gzip's old name.
func codingWeight(r *http.Request, coding string) float64 {
	star := 0.0
	for _, field := range r.Header.Values("Accept-Encoding") {
		for field != "" {
			var item string
			item, field, _ = strings.Cut(field, ",")
			name, params, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			q := 1.0
			for params != "" {
				var p string
				p, params, _ = strings.Cut(params, ";")
				k, v, _ := strings.Cut(p, "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					if err != nil || w < 0 || w > 1 {
						w = 0 // a weight that cannot be read accepts nothing
					}
					q = w
				}
			}
			switch {
			case strings.EqualFold(name, coding), coding == "gzip" && strings.EqualFold(name, "x-gzip"):
				return q // a coding named outright overrides "*"
			case name == "*":
				star = q
			}
		}
	}
	return star
}

// pickCoding returns which of offered to send r: the one its
// Accept-Encoding weighs highest, the first offered on a tie (so offered
// lists the server's preference first), or "" for none, when the answer
// goes as it is.
func pickCoding(r *http.Request, offered ...string) string {
	best, bestQ := "", 0.0
	for _, c := range offered {
		if q := codingWeight(r, c); q > bestQ {
			best, bestQ = c, q
		}
	}
	return best
}

// compressedCopies are the encoded copies of one answer's bytes: gzip,
// made when the answer is kept, and brotli, made on the first request that
// accepts it and then kept too, so that neither is made per request.
type compressedCopies struct {
	plain []byte
	gz    []byte
	// brQuality is the quality of the brotli copy, or 0 for none.
	brQuality int
	brOnce    sync.Once
	br        []byte
}

// newCompressedCopies compresses plain with gzip at gzipLevel now and keeps
// it for a brotli copy at brQuality (0: none) later. Bodies too small to
// gain anything get no copies.
func newCompressedCopies(plain []byte, gzipLevel, brQuality int) *compressedCopies {
	if len(plain) < minGzip {
		return &compressedCopies{plain: plain}
	}
	return &compressedCopies{plain: plain, gz: gzipBytes(plain, gzipLevel), brQuality: brQuality}
}

// forRequest returns the bytes to send r and their Content-Encoding ("" for
// the plain bytes): brotli when r accepts it at least as much as gzip.
func (cc *compressedCopies) forRequest(r *http.Request) ([]byte, string) {
	var coding string
	switch {
	case cc.gz == nil:
		return cc.plain, ""
	case cc.brQuality > 0:
		coding = pickCoding(r, "br", "gzip")
	default:
		coding = pickCoding(r, "gzip")
	}
	switch coding {
	case "br":
		cc.brOnce.Do(func() { cc.br = brotliBytes(cc.plain, cc.brQuality) })
		return cc.br, "br"
	case "gzip":
		return cc.gz, "gzip"
	}
	return cc.plain, ""
}

// send answers c with the copy its request accepts best, with its
// Content-Encoding and length.
func (cc *compressedCopies) send(c echo.Context, status int, contentType string) error {
	body, coding := cc.forRequest(c.Request())
	h := c.Response().Header()
	if coding != "" {
		h.Set("Content-Encoding", coding)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return c.Blob(status, contentType, body)
}

// size is what the copies take in memory, counting a brotli copy still to
// be made as the size of the gzip one, which it does not exceed in practice.
func (cc *compressedCopies) size() int {
	n := len(cc.plain) + len(cc.gz)
	if cc.brQuality > 0 {
		n += len(cc.gz)
	}
	return n
}
