// Command pulumi-sdkgen binds a Pulumi package schema with Pulumi's own schema binder and generates an SDK with
// Pulumi's own code generator for TypeScript or Go.
//
// `pulumi package gen-sdk` does the same through a language host (pulumi-language-nodejs, pulumi-language-go),
// whose GeneratePackage calls these very functions of github.com/pulumi/pulumi/pkg/v3/codegen. The language hosts
// are Go modules the module proxy does not serve (docs/engine.md), so engine/build.py builds this instead, in the
// tools module of the CLI, at the CLI's version.
//
// Usage: pulumi-sdkgen SCHEMA.json nodejs|go OUT_DIR
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 4 {
		fail(fmt.Errorf("usage: pulumi-sdkgen SCHEMA.json nodejs|go OUT_DIR"))
	}
	schemaPath, language, out := os.Args[1], os.Args[2], os.Args[3]
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		fail(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		fail(fmt.Errorf("%s is not a package schema: %w", schemaPath, err))
	}
	// The binder `pulumi package get-schema` and `gen-sdk` use, with the same options (packages.BindSpec). The
	// package references no other package, so its loader loads none.
	loader := schema.NewNullLoader()
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		fail(fmt.Errorf("binding %s: %w", schemaPath, err))
	}
	if diags.HasErrors() {
		fail(fmt.Errorf("binding %s: %s", schemaPath, diags.Error()))
	}
	var files map[string][]byte
	switch language {
	case "nodejs":
		files, err = nodejs.GeneratePackage("pulumi", pkg, nil, nil, false, nil)
	case "go":
		files, err = gogen.GeneratePackage("pulumi", pkg, nil)
	default:
		err = fmt.Errorf("unknown language %q (nodejs or go)", language)
	}
	if err != nil {
		fail(err)
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fail(err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			fail(err)
		}
	}
	fmt.Printf("%d files written to %s\n", len(files), out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pulumi-sdkgen:", err)
	os.Exit(1)
}
