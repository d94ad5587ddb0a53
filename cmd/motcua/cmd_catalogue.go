package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"motcua/assets"
	"motcua/domain"
	"motcua/forms"
	"motcua/localdb"
)

func init() {
	extraCommands = append(extraCommands, command{"catalogue",
		"danh mục thủ tục đang dùng; --unconfirmed: các thông tin chưa được xác nhận cần đối chiếu với tỉnh", cmdCatalogue})
}

// cmdCatalogue lists the procedures of the catalogue in use, or (--unconfirmed) the facts
// the data flags as not yet checked against a published source, for an admin to check
// with the province: the catalogue's, the form data's and the declarations'.
func cmdCatalogue(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "catalogue")
	data := dataFlag(fs)
	unconfirmed := fs.Bool("unconfirmed", false, "liệt kê các thông tin chưa được xác nhận (thủ tục, mẫu biểu, tờ khai)")
	asJSON := fs.Bool("json", false, "in dạng JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("tham số thừa: %s", strings.Join(fs.Args(), " "))
	}
	// The catalogue in use is the store's (it may come from the city); without data yet,
	// the one the app ships with.
	var cat *domain.Catalogue
	if _, err := os.Stat(filepath.Join(*data, localdb.DBFile)); err == nil {
		s, err := openExisting(ctx, *data)
		if err != nil {
			return err
		}
		cat = s.Catalogue()
		s.Close()
	} else {
		c, err := domain.ParseCatalogue(assets.CatalogueJSON)
		if err != nil {
			return err
		}
		cat = c
		fmt.Fprintf(e.stderr, "Thư mục %s chưa có dữ liệu: dùng danh mục đi kèm ứng dụng.\n", *data)
	}

	if !*unconfirmed {
		if *asJSON {
			return writeJSON(e, cat.Procedures)
		}
		fmt.Fprintf(e.stdout, "Danh mục thủ tục phiên bản %s: %d thủ tục\n", cat.Version, len(cat.Procedures))
		for _, p := range cat.Procedures {
			line := fmt.Sprintf("%-9s %s — %s, %s", p.Code, p.Name, p.Field, strings.ToLower(p.Time.String()))
			if n := len(p.Unconfirmed); n > 0 {
				line += fmt.Sprintf(" [%d thông tin chưa được xác nhận]", n)
			}
			fmt.Fprintln(e.stdout, line)
		}
		return nil
	}

	facts := forms.UnconfirmedFacts(cat, forms.DefaultTemplates(), forms.DefaultDeclarations())
	if *asJSON {
		return writeJSON(e, facts)
	}
	fmt.Fprintf(e.stdout, "%d thông tin chưa được xác nhận (danh mục thủ tục phiên bản %s, mẫu biểu, tờ khai).\n", len(facts), cat.Version)
	fmt.Fprintln(e.stdout, "Đối chiếu từng thông tin với văn bản của tỉnh; sửa trong dữ liệu (danh mục, forms.json, tờ khai) và bỏ cờ «unconfirmed» khi đã xác nhận.")
	source := ""
	for _, g := range domain.GroupUnconfirmed(facts) {
		if g.Source != source {
			source = g.Source
			n := 0
			for _, f := range facts {
				if f.Source == source {
					n++
				}
			}
			fmt.Fprintf(e.stdout, "\n== %s: %d ==\n", source, n)
		}
		fmt.Fprintf(e.stdout, "\n%s\n", g.Subject)
		for _, f := range g.Facts {
			line := "  – " + f.Fact
			if f.Value != "" {
				line += ": " + strings.ReplaceAll(f.Value, "\n", " ") // one line per fact
			}
			fmt.Fprintln(e.stdout, line)
			if f.Note != "" {
				fmt.Fprintf(e.stdout, "      Ghi chú: %s\n", f.Note)
			}
			if f.Ref != "" {
				fmt.Fprintf(e.stdout, "      Nguồn: %s\n", f.Ref)
			}
		}
		if g.Note != "" {
			fmt.Fprintf(e.stdout, "  Ghi chú: %s\n", g.Note)
		}
		if g.Ref != "" {
			fmt.Fprintf(e.stdout, "  Nguồn: %s\n", g.Ref)
		}
	}
	return nil
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
