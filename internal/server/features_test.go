package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestFeaturesHoldNoServer keeps the features narrow: no type of this
// package but the Server itself keeps a *Server (or a Server). A feature
// takes the shared components it uses (the renderer, the campaign reader
// and the others New builds) instead, so what it depends on shows in its
// fields.
func TestFeaturesHoldNoServer(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || ts.Name.Name == "Server" {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			checked++
			for _, field := range st.Fields.List {
				if holdsServer(field.Type) {
					t.Errorf("%s: type %s holds the Server; give it the components it uses instead", fset.Position(field.Pos()), ts.Name.Name)
				}
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("only %d struct types found: is the test in the server package's folder?", checked)
	}
}

// holdsServer reports whether a field's type is Server, *Server, or a
// slice, array or map of them.
func holdsServer(expr ast.Expr) bool {
	switch x := expr.(type) {
	case *ast.Ident:
		return x.Name == "Server"
	case *ast.StarExpr:
		return holdsServer(x.X)
	case *ast.ArrayType:
		return holdsServer(x.Elt)
	case *ast.MapType:
		return holdsServer(x.Key) || holdsServer(x.Value)
	}
	return false
}
