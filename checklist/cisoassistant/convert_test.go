package cisoassistant

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

var fixture = filepath.Join("..", "..", "testdata", "catalogues", "ciso-assistant", "misure-esempio.yaml")

func convertFixture(t *testing.T, opts Options) (*Result, *checklist.Catalogue) {
	t.Helper()
	src, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(src, fixture, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := checklist.Parse(res.YAML, "convertito.yaml")
	if err != nil {
		t.Fatalf("the converted catalogue is not valid: %v\n%s", err, res.YAML)
	}
	return res, c
}

func TestConvertFixture(t *testing.T) {
	res, c := convertFixture(t, Options{})
	if c.Key() != "misure-esempio@2" || c.Language != "it" || c.HasRiskModel() || len(c.Threats) != 0 {
		t.Fatalf("catalogue %s, language %s, threats %d", c.Key(), c.Language, len(c.Threats))
	}
	if !strings.Contains(c.Source, "urn:cieaudit:test:framework:misure-esempio") || !strings.Contains(c.Source, "Testi scritti per i test") {
		t.Errorf("source does not keep the library's identity and rights: %q", c.Source)
	}
	if len(c.Sections) != 2 || c.Sections[0].ID != "ES-1" || c.Sections[0].Title != "ES 1 — ELENCO DEGLI APPARATI IN RETE" || c.Sections[1].Title != "Copie di sicurezza" {
		t.Errorf("sections: %+v", c.Sections)
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "Note di lettura") {
		t.Errorf("skipped: %v", res.Skipped)
	}
	tests := []struct {
		id, level, short, guidance string
	}{
		{"ES-1.1.1", "minimo", "", genericGuidance},
		{"ES-1.1.2", "standard", "", genericGuidance}, // S and A: the lower level
		{"ES-1.2.1", "alto", "Allarme sugli apparati sconosciuti", "Chiedere l'ultima segnalazione ricevuta e come è stata gestita.\n\nEvidenze tipiche: registro delle segnalazioni, configurazione dello strumento"},
		{"ES-2.1.1", "minimo", "", genericGuidance},
		{"ES-2.1.2", "minimo", "", genericGuidance},
	}
	if got := len(c.Items()); got != len(tests) {
		t.Fatalf("%d items, want %d", got, len(tests))
	}
	for _, tt := range tests {
		it := c.Item(tt.id)
		if it == nil {
			t.Fatalf("no item %s", tt.id)
		}
		if string(it.Level) != tt.level || it.Short != tt.short || it.Guidance != tt.guidance || it.Scope != checklist.ScopeEnte ||
			it.Category != checklist.CategoryTechnical || len(it.Origin) != 1 || it.Origin[0] != checklist.OriginLaw ||
			it.Reference != "Misure di esempio per la PA, "+strings.Replace(tt.id, "-", " ", 1) {
			t.Errorf("%s = %+v", tt.id, it)
		}
	}
	if q := c.Item("ES-1.1.1").Question; q != "Tenere un elenco aggiornato degli apparati collegati alla rete dell'ente." {
		t.Errorf("question %q", q)
	}
}

func TestConvertOptions(t *testing.T) {
	_, c := convertFixture(t, Options{ID: "agid-mm", Version: "2017", Scope: checklist.ScopeSede, Reference: "Circolare AgID n. 2/2017",
		Category: checklist.CategoryOrganisational, Origin: checklist.OriginInferred,
		Levels: map[string]checklist.Level{"A": checklist.LevelStandard}})
	it := c.Item("ES-1.2.1")
	if c.Key() != "agid-mm@2017" || it.Scope != checklist.ScopeSede || it.Category != checklist.CategoryOrganisational ||
		it.Origin[0] != checklist.OriginInferred || it.Level != checklist.LevelStandard || it.Reference != "Circolare AgID n. 2/2017, ES 1.2.1" {
		t.Errorf("%s: %+v", c.Key(), it)
	}
}

func TestConvertRefuses(t *testing.T) {
	base, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"not YAML", func(string) string { return "urn: [\n" }, "YAML non valido"},
		{"not a library", func(string) string { return "id: x\nversion: \"1\"\n" }, "manca objects.framework"},
		{"english", func(s string) string { return strings.Replace(s, "locale: it", "locale: en", 1) }, `:6: la libreria è in lingua "en"`},
		{"unknown parent", func(s string) string {
			return strings.Replace(s, "parent_urn: urn:cieaudit:test:req_node:misure-esempio:es-2\n", "parent_urn: urn:cieaudit:test:req_node:misure-esempio:es-9\n", 1)
		}, `parent_urn "urn:cieaudit:test:req_node:misure-esempio:es-9" non corrisponde`},
		{"unknown group", func(s string) string { return strings.Replace(s, "      - A\n", "      - IG3\n", 1) }, `gruppo di attuazione "IG3"`},
		{"repeated urn", func(s string) string {
			return strings.Replace(s, "urn: urn:cieaudit:test:req_node:misure-esempio:es-2.1.2", "urn: urn:cieaudit:test:req_node:misure-esempio:es-2.1.1", 1)
		}, "ripetuto (già alla riga"},
		{"repeated ref_id", func(s string) string { return strings.Replace(s, "ref_id: ES 2.1.2", "ref_id: ES 2.1.1", 1) }, "già usato alla riga"},
		{"nothing assessable", func(s string) string { return strings.ReplaceAll(s, "assessable: true", "assessable: false") }, "nessun requisito valutabile"},
		{"no text", func(s string) string {
			return strings.Replace(s, "      description: Fare almeno una copia settimanale dei dati necessari a\n        ripristinare i servizi.\n", "", 1)
		}, `"ES 2.1.1" non ha né description né name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Convert([]byte(tt.edit(string(base))), "lib.yaml", Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "lib.yaml") {
				t.Errorf("error %v, want one naming lib.yaml and containing %q", err, tt.want)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"ABSC 1.1.1": "ABSC-1.1.1", "ABSC 1 (CSC 1)": "ABSC-1-CSC-1", "Controlli-Minimi-AGID": "Controlli-Minimi-AGID",
		"  à été ": "t", "A.5.1": "A.5.1", "x/../y": "x-..-y",
		strings.Repeat("PROTEGGERE LE CONFIGURAZIONI ", 4): "PROTEGGERE-LE-CONFIGURAZIONI-PROTEGGERE-LE-CONFIGURAZIONI-PROTEG",
	} {
		if !checklist.CatalogueIDPattern.MatchString(want) && want != "" {
			t.Errorf("%q would be refused as an ID", want)
		}
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}
