package export

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cieaudit/cieaudit/checklist"
)

// TableMeasures is a catalogue's measures, one row per item: what
// "cieaudit catalog export" writes (the DPM tool's "Esporta le misure di
// sicurezza"). It belongs to a catalogue, not to an audit, so it is not
// one of the audit Tables.
const TableMeasures Table = "misure"

var measureColumns = []Column{
	{Name: "catalogue", Doc: "Catalogue key, `id@version`."},
	{Name: "section_id", Doc: "Section holding the measure."},
	{Name: "section_title", Doc: "Italian title of the section."},
	{Name: "item_id", Doc: "Stable item ID, e.g. `ORG-08`."},
	{Name: "item_title", Doc: "Short Italian title."},
	{Name: "question", Doc: "The question the auditor answers."},
	{Name: "guidance", Doc: "How to verify it on site and what counts as sì, parziale and no."},
	{Name: "category", Label: labelCategory, Doc: "`fisica`, `tecnica` or `organizzativa`."},
	{Name: "scope", Doc: "Where it is answered: `ente`, `sede` or `postazione`."},
	{Name: "level", Label: labelLevel, Doc: "`minimo`, `standard` or `alto`."},
	{Name: "macroprocess", Label: labelMacroprocess, Doc: "Macroprocessi (`mp1`, `mp2`, `mp3`), separated by ` | `."},
	{Name: "reference", Doc: "Normative reference as the catalogue states it."},
	{Name: "origin", Doc: "Origin tags joined by `+`."},
	{Name: "origin_class", Label: labelOriginClass, Doc: "`normativa`, `in_parte_buona_pratica`, `buona_pratica` or `storico`."},
	{Name: "origin_label", Doc: "Italian description of the origin, e.g. `In parte buona pratica: Prassi CIE 3.0 + Buona pratica (dedotta)`."},
	{Name: "compliant_answer", Doc: "The esito that means the measure is in place: `si`, or `no` for a negative question."},
	{Name: "vulnerability", Doc: "Vulnerability group of the measure, when it has one."},
	{Name: "answer_kind", Doc: "`esito`, `scelta`, `numero`, `testo` or `data`."},
	{Name: "threats", Doc: "Threats countered, as `ID mitigation%` separated by ` | `."},
}

// measureRows emits one row per item of the catalogue, in catalogue order.
func measureRows(c *checklist.Catalogue, emit rowWriter) error {
	for _, it := range c.Items() {
		section := ""
		if s := c.Section(it.Section); s != nil {
			section = s.Title
		}
		compliant := string(checklist.OutcomeYes)
		if it.Negative() {
			compliant = string(checklist.OutcomeNo)
		}
		links := make([]string, len(it.Threats))
		for i, l := range it.Threats {
			links[i] = fmt.Sprintf("%s %d%%", l.Threat, l.Mitigation)
		}
		row := []string{c.Key(), it.Section, section, it.ID, it.Title(), it.Question, it.Guidance,
			string(it.Category), string(it.Scope), string(it.Level), macroprocesses(it),
			it.Reference, originTags(it), string(it.OriginClass()), it.OriginSummary(),
			compliant, it.Vulnerability, string(it.Answer.Kind), strings.Join(links, listSeparator)}
		if err := emit(row); err != nil {
			return err
		}
	}
	return nil
}

// CatalogueFormat is the format of "cieaudit catalog export".
type CatalogueFormat string

const (
	CatalogueCSV  CatalogueFormat = "csv"
	CatalogueXLSX CatalogueFormat = "xlsx"
)

// ParseCatalogueFormat accepts csv or xlsx.
func ParseCatalogueFormat(s string) (CatalogueFormat, error) {
	switch f := CatalogueFormat(strings.ToLower(strings.TrimSpace(s))); f {
	case CatalogueCSV, CatalogueXLSX:
		return f, nil
	}
	return "", fmt.Errorf("formato %q non valido: usare csv o xlsx", s)
}

// WriteCatalogueCSV writes the measures of c as CSV in dialect d.
func WriteCatalogueCSV(w io.Writer, c *checklist.Catalogue, d Dialect) error {
	tw, err := newTableWriter(w, TableMeasures, d)
	if err != nil {
		return err
	}
	if err := measureRows(c, tw.write); err != nil {
		return err
	}
	return tw.flush()
}

// catalogueTime is the fixed timestamp of a catalogue workbook: a
// catalogue has no history, and the same catalogue must give the same bytes.
var catalogueTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteCatalogueXLSX writes the measures of c as a one-sheet workbook,
// every text cell guarded as in the audit exports.
func WriteCatalogueXLSX(w io.Writer, c *checklist.Catalogue) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	header, err := headerStyle(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", "Misure"); err != nil {
		return err
	}
	emitAll := func(emit rowWriter) error { return measureRows(c, emit) }
	if err := streamSheet(f, "Misure", "TabellaMisure", measureColumns, emitAll, header); err != nil {
		return fmt.Errorf("foglio Misure: %w", err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          "Misure di sicurezza — " + c.Title,
		Subject:        "Catalogo " + c.Key(),
		Creator:        "cieaudit",
		LastModifiedBy: "cieaudit",
		Identifier:     c.Key(),
		Language:       "it-IT",
		Created:        catalogueTime.Format(time.RFC3339),
		Modified:       catalogueTime.Format(time.RFC3339),
	}); err != nil {
		return err
	}
	var raw bytes.Buffer
	if err := f.Write(&raw); err != nil {
		return err
	}
	return repackZip(w, raw.Bytes(), catalogueTime)
}

// WriteCatalogue writes the measures of c in format to path, published
// atomically (nothing half-written on failure; an existing file is
// replaced only with opts.Force), or to stdout when path is "-".
func WriteCatalogue(c *checklist.Catalogue, format CatalogueFormat, path string, stdout io.Writer, opts Options) error {
	write := func(w io.Writer) error {
		if format == CatalogueXLSX {
			return WriteCatalogueXLSX(w, c)
		}
		return WriteCatalogueCSV(w, c, opts.CSV)
	}
	if path == "-" {
		return write(stdout)
	}
	return PublishFile(path, opts, write)
}
