package http

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// The HTTP layer calls only the Service: it names neither the store nor a
// transaction, and imports no store package. These tests keep it so.

const modulePath = "github.com/casebook/casebook"

// storePackages are the packages that implement or test casebook.Store.
var storePackages = []string{modulePath + "/sqlstore", modulePath + "/sqlite", modulePath + "/postgres", modulePath + "/storetest"}

// storeTypeNames returns the names of the root package's store types:
// Store, Tx and every interface Tx is made of, read from ../store.go so
// that a new per-entity interface is covered without editing this test.
func storeTypeNames(t *testing.T) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "store.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{"Store": true, "Tx": true}
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.TypeSpec)
		if !ok || spec.Name.Name != "Tx" {
			return true
		}
		iface, ok := spec.Type.(*ast.InterfaceType)
		if !ok {
			t.Fatalf("casebook.Tx is a %T, want an interface", spec.Type)
		}
		for _, m := range iface.Methods.List {
			if id, ok := m.Type.(*ast.Ident); ok && len(m.Names) == 0 {
				names[id.Name] = true
			}
		}
		return false
	})
	if !names["CaseTx"] || !names["AccountTx"] {
		t.Fatalf("found the store types %v in ../store.go, want Tx's per-entity interfaces among them", names)
	}
	return names
}

// storeUses returns, for one parsed file, every import of a store package
// and every reference to a store type of the root package.
func storeUses(fset *token.FileSet, f *ast.File, storeTypes map[string]bool) []string {
	var uses []string
	rootName := "" // the name the file imports the root package under
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		for _, p := range storePackages {
			if path == p || strings.HasPrefix(path, p+"/") {
				uses = append(uses, fset.Position(imp.Pos()).String()+": imports "+path)
			}
		}
		if path == modulePath {
			rootName = "casebook"
			if imp.Name != nil {
				rootName = imp.Name.Name
			}
			if rootName == "." {
				uses = append(uses, fset.Position(imp.Pos()).String()+": dot-imports the root package")
			}
		}
	}
	if rootName == "" || rootName == "_" {
		return uses
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == rootName && storeTypes[sel.Sel.Name] {
			uses = append(uses, fset.Position(sel.Pos()).String()+": uses "+rootName+"."+sel.Sel.Name)
		}
		return true
	})
	return uses
}

// TestBoundary_HTTPDoesNotTouchTheStore covers this package and the web
// console (../console), the two front doors of the Service.
func TestBoundary_HTTPDoesNotTouchTheStore(t *testing.T) {
	for _, dir := range []string{".", filepath.Join("..", "console")} {
		t.Run(dir, func(t *testing.T) { checkNoStoreUses(t, dir) })
	}
}

func checkNoStoreUses(t *testing.T, dir string) {
	storeTypes := storeTypeNames(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, use := range storeUses(fset, f, storeTypes) {
			t.Errorf("%s: the HTTP layer and the console must call the Service, not the store", use)
		}
	}
	if checked < 5 {
		t.Fatalf("checked %d files in %s, want every non-test file", checked, dir)
	}
}

// TestBoundary_StoreUsesAreFound checks the scan itself on code that does
// touch the store, so that the test above cannot pass by finding nothing.
func TestBoundary_StoreUsesAreFound(t *testing.T) {
	storeTypes := storeTypeNames(t)
	for _, src := range []string{
		`package http; import "github.com/casebook/casebook/sqlite"; var _ = sqlite.Open`,
		`package http; import _ "github.com/casebook/casebook/postgres"`,
		`package http; import "github.com/casebook/casebook"; var _ casebook.Store`,
		`package http; import cb "github.com/casebook/casebook"; func f(fn func(cb.Tx) error) {}`,
		`package http; import "github.com/casebook/casebook"; type x interface{ casebook.CaseTx }`,
		`package http; import . "github.com/casebook/casebook"`,
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "src.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		if uses := storeUses(fset, f, storeTypes); len(uses) == 0 {
			t.Errorf("no store use found in %s", src)
		}
	}
	clean := `package http; import "github.com/casebook/casebook"; var _ *casebook.Service; var _ casebook.BlobStore`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "src.go", clean, 0)
	if err != nil {
		t.Fatal(err)
	}
	if uses := storeUses(fset, f, storeTypes); len(uses) != 0 {
		t.Errorf("store uses found in code without any: %v", uses)
	}
}

// TestBoundary_ServiceHidesTheStore checks that no exported field or method
// of the Service hands out the store or a transaction.
func TestBoundary_ServiceHidesTheStore(t *testing.T) {
	storeType := reflect.TypeFor[casebook.Store]()
	txType := reflect.TypeFor[casebook.Tx]()
	var leaks func(typ reflect.Type) bool
	leaks = func(typ reflect.Type) bool {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map, reflect.Chan:
			return leaks(typ.Elem())
		case reflect.Func:
			for i := range typ.NumIn() {
				if leaks(typ.In(i)) {
					return true
				}
			}
			for i := range typ.NumOut() {
				if leaks(typ.Out(i)) {
					return true
				}
			}
			return false
		}
		return typ.Implements(storeType) || typ.Implements(txType) ||
			reflect.PointerTo(typ).Implements(storeType) || reflect.PointerTo(typ).Implements(txType)
	}
	svc := reflect.TypeFor[*casebook.Service]()
	for i := range svc.Elem().NumField() {
		if f := svc.Elem().Field(i); f.IsExported() && leaks(f.Type) {
			t.Errorf("casebook.Service.%s (%s) exposes the store", f.Name, f.Type)
		}
	}
	for i := range svc.NumMethod() {
		if m := svc.Method(i); leaks(m.Type) {
			t.Errorf("casebook.Service.%s (%s) exposes the store or a transaction", m.Name, m.Type)
		}
	}
}
