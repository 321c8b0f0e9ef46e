package export

import (
	"bufio"
	"embed"
	"encoding/base64"
	"html/template"
	"io"

	"github.com/cieaudit/cieaudit/checklist"
)

//go:embed templates/report.html.tmpl templates/report.css
var templateFS embed.FS

var (
	reportTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).ParseFS(templateFS, "templates/report.html.tmpl"))
	// reportCSS is cieaudit's own stylesheet, the only text marked safe:
	// everything coming from the audit is escaped by html/template.
	reportCSS = template.CSS(mustRead(templateFS, "templates/report.css"))
)

func mustRead(fsys embed.FS, name string) string {
	b, err := fsys.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot fail at run time
	}
	return string(b)
}

type htmlReport struct {
	*report
	CSS template.CSS
}

// LogoURI is the stemma as a data: URI, "" without one. It is marked safe
// because it is built here from bytes checklist.CheckLogo accepted as a PNG
// or JPEG, base64-encoded: nothing in it comes from text.
func (h htmlReport) LogoURI() template.URL {
	if h.Logo == nil {
		return ""
	}
	return template.URL("data:" + h.Logo.Type + ";base64," + base64.StdEncoding.EncodeToString(h.Logo.Data))
}

// WriteHTML writes the report as one self-contained HTML page, printable on
// A4. assessment may be nil, in which case it is computed.
func WriteHTML(w io.Writer, snap *checklist.Snapshot, assessment *checklist.Assessment) error {
	if assessment == nil {
		assessment = checklist.Assess(snap)
	}
	bw := bufio.NewWriter(w)
	if err := reportTemplate.Execute(bw, htmlReport{buildReport(snap, assessment), reportCSS}); err != nil {
		return err
	}
	return bw.Flush()
}
