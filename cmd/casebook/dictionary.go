package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DictionaryCommand exports and imports the dictionaries of the ticket form
// (problem types, severities, regions, satisfaction dimensions, ...):
// `casebook dictionary export FILE`, `casebook dictionary import FILE`.
// The set lives in the database, so every replica serves the import at
// once.
type DictionaryCommand struct {
	Main *Main
}

// Run dispatches the subcommand.
func (c *DictionaryCommand) Run(ctx context.Context, args []string) error {
	return c.Main.subcommands(ctx, "dictionary", args, map[string]func(context.Context, []string) error{
		"export": c.runExport,
		"import": c.runImport,
	})
}

// fileArg takes the FILE argument, which comes first: FILE [flags].
func fileArg(fs *cmdFlags, args []string) (string, []string, error) {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-") {
		if err := fs.parse(args); err != nil {
			return "", nil, err
		}
		fmt.Fprintln(fs.Output(), "FILE is required")
		fs.Usage()
		return "", nil, &usageError{fmt.Errorf("FILE is required")}
	}
	return args[0], args[1:], nil
}

func (c *DictionaryCommand) runExport(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("dictionary export", "FILE [flags]",
		"Writes the dictionaries of the ticket form to FILE (\"-\": standard output)\nas JSON: the operator's imported set, or the shipped defaults.", storeFlags)
	file, args, err := fileArg(fs, args)
	if err != nil {
		return err
	}
	app, err := c.Main.parseAndOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer app.Close()

	doc, err := app.Service.ExportDictionaries(ctx)
	if err != nil {
		return fmt.Errorf("export dictionaries: %w", err)
	}
	if file == "-" {
		_, err := c.Main.Stdout.Write(doc)
		return err
	}
	return writeFileAtomic(file, doc)
}

func (c *DictionaryCommand) runImport(ctx context.Context, args []string) error {
	fs := c.Main.newFlags("dictionary import", "FILE [flags]",
		"Replaces the dictionaries of the ticket form with FILE (\"-\": standard input),\nin one transaction. A file that does not validate changes nothing.", storeFlags)
	file, args, err := fileArg(fs, args)
	if err != nil {
		return err
	}
	if err := fs.parse(args); err != nil {
		return err
	}
	var data []byte
	if file == "-" {
		data, err = io.ReadAll(c.Main.Stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return fmt.Errorf("read dictionaries: %w", err)
	}
	app, err := c.Main.open(ctx, fs)
	if err != nil {
		return err
	}
	defer app.Close()

	d, err := app.Service.ImportDictionaries(ctx, data)
	if err != nil {
		return fmt.Errorf("import dictionaries from %s: %w", file, err)
	}
	fmt.Fprintf(c.Main.Stdout, "imported %d problem types, %d ticket categories, %d product categories, %d severities, %d regions, %d area codes, %d satisfaction dimensions, %d templates, %d configuration values\n",
		len(d.ProblemTypes), len(d.CaseCategories), len(d.ProductCategories), len(d.Severities), len(d.Regions),
		len(d.AreaCodes), len(d.SatisfactionDimensions), len(d.CaseTemplates), len(d.Configuration))
	return nil
}

// writeFileAtomic writes data to a temporary file next to name and renames
// it into place, so a reader never sees half a file.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
