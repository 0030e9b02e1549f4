// Package markdown turns organizer-written Markdown into HTML that is safe
// to put in a page: goldmark renders it, then a bluemonday policy for
// user-generated content removes anything that could run script.
package markdown

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Renderer renders Markdown to sanitised HTML. It is safe for concurrent
// use; build one and share it.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a Renderer. Headings in the text are moved down by
// headingOffset levels (capped at h6), so a "# Heading" inside an item shown
// under an h3 becomes an h4 and the page's outline stays in order.
//
// Raw HTML in the Markdown is passed through goldmark on purpose: the
// sanitiser, not the Markdown parser, is the one gate, so organizers can use
// harmless inline HTML (abbr, sup) and the gate is tested on real markup.
func New(headingOffset int) *Renderer {
	policy := bluemonday.UGCPolicy()
	policy.RequireNoFollowOnLinks(true)
	// The transformer below sets rel="noopener"; the policy keeps exactly
	// that value and then appends nofollow.
	policy.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener$`)).OnElements("a")
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(
			util.Prioritized(linksAndHeadings{offset: headingOffset}, 100),
		)),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	return &Renderer{md: md, policy: policy}
}

// Render converts src to sanitised HTML.
func (r *Renderer) Render(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

// linksAndHeadings marks links rel="noopener" and shifts heading levels.
type linksAndHeadings struct{ offset int }

func (t linksAndHeadings) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link, *ast.AutoLink:
			n.SetAttributeString("rel", []byte("noopener"))
		case *ast.Heading:
			n.Level = min(max(n.Level+t.offset, 1), 6)
		}
		return ast.WalkContinue, nil
	})
}
