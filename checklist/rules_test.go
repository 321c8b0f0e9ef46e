package checklist

import (
	"strings"
	"testing"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"2026-11-22", "2026-11-22", ""},
		{" 22/11/2026 ", "2026-11-22", ""},
		{"2/3/2026", "2026-03-02", ""},
		{"2026-02-30", "", "data di chiusura \"2026-02-30\" non valida"},
		{"22-11-2026", "", "non valida: scrivere AAAA-MM-GG o GG/MM/AAAA"},
		{"11/22/2026", "", "non valida"},
		{"1999-12-31", "", "non plausibile: l'anno deve essere tra il 2000 e il 2100"},
		{"01/01/2101", "", "non plausibile"},
		{"", "", "non valida"},
	} {
		got, err := NormaliseDate("data di chiusura", tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("NormaliseDate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("NormaliseDate(%q) error = %v; want it to contain %q", tc.in, err, tc.err)
		}
	}
}

// TestFormatNumberReadsBack: the stored text of a number parses back to the
// same number, also where a plain print would look like thousands (the
// fuzzer's ",001" became "0.001", then 1).
func TestFormatNumberReadsBack(t *testing.T) {
	for _, f := range []float64{0.001, 1.234, -12.5, 123.456, 5200, 0, 2.5, 1234.5678} {
		s := FormatNumber(f)
		back, err := ParseNumber("il valore", s)
		if err != nil || back != f {
			t.Errorf("FormatNumber(%v) = %q, which reads back as %v, %v", f, s, back, err)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5200", 5200, true},
		{"5.200", 5200, true},
		{"1.234.567", 1234567, true},
		{"2,5", 2.5, true},
		{"1.234,5", 1234.5, true},
		{"2.5", 2.5, true},
		{"-3", -3, true},
		{" 0,25 ", 0.25, true},
		{"1.23.4", 0, false},
		{"12.34,5", 0, false},
		{"2,5,1", 0, false},
		{"1e9", 0, false},
		{"NaN", 0, false},
		{"abc", 0, false},
		{"", 0, false},
	} {
		got, err := ParseNumber("il valore", tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "il valore ") {
			t.Errorf("ParseNumber(%q) error %q does not name the field", tc.in, err)
		}
	}
}

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"8420", 8420, true}, {"8.420", 8420, true}, {"0", 0, true},
		{"-1", 0, false}, {"2,5", 0, false}, {"2.5", 0, false}, {"x", 0, false},
	} {
		got, err := ParseCount("la popolazione", tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseCount(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestISTATAndYear(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"054039", true}, {" 054039 ", true}, {"-12345", false}, {"+12345", false}, {"12345", false}, {"0540399", false}, {"05 039", false}} {
		if _, err := CheckISTAT(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckISTAT(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{{"2026", true}, {"2005", true}, {"2100", true}, {"1999", false}, {"2004", false}, {"2101", false}, {"26", false}, {"abcd", false}} {
		if _, err := ParseYear(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseYear(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
	_, err := ParseYear("1999")
	if want := CheckYear(1999).Error(); err.Error() != want {
		t.Errorf("ParseYear and CheckYear disagree: %q vs %q", err, want)
	}
}

func TestPerimeterNamesIgnoreCase(t *testing.T) {
	a := Audit{Ente: Ente{Name: "Comune"}, Year: 2026}
	if _, err := a.AddPostazione(Postazione{Code: " pg0540a01 ", Sede: "Sede  centrale"}, true); err != nil {
		t.Fatal(err)
	}
	if got := a.Postazioni[0]; got.Code != "PG0540A01" || got.Sede != "Sede centrale" {
		t.Fatalf("stored %+v, want normalised code and sede", got)
	}
	if _, err := a.AddPostazione(Postazione{Code: "Pg0540A01", Sede: "sede centrale"}, true); err == nil ||
		!strings.Contains(err.Error(), "esiste già una postazione PG0540A01") {
		t.Fatalf("case-variant duplicate code: %v", err)
	}
	if _, err := a.CheckNewPostazione("pg0540a01"); err == nil {
		t.Fatal("CheckNewPostazione accepted a case-variant duplicate")
	}
	if created, err := a.AddPostazione(Postazione{Code: "PG0540A02", Sede: "SEDE CENTRALE"}, true); err != nil || created {
		t.Fatalf("second postazione in the same sede written in another case: created=%v err=%v", created, err)
	}
	if err := a.AddSede(Sede{Name: "sede Centrale"}); err == nil {
		t.Fatal("AddSede accepted a case-variant duplicate")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ typed, want string }{
		{"postazione:pg0540a01", "postazione:PG0540A01"},
		{"sede:SEDE CENTRALE", "sede:Sede centrale"},
		{"postazione:XX99", "postazione:XX99"}, // not in the audit: unchanged
		{"ente", "ente"},
	} {
		sc, err := ParseScope(c.typed)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.CanonicalScope(sc).String(); got != c.want {
			t.Errorf("CanonicalScope(%s) = %s, want %s", c.typed, got, c.want)
		}
	}
	a.Postazioni = append(a.Postazioni, Postazione{Code: "pg0540a02"})
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "ripetuta") {
		t.Fatalf("Validate with a case-variant duplicate: %v", err)
	}
}

// TestNameLength: the ente's and a sede's names are bounded, the same for
// every way in (CLI, TUI, import, merge). Past a few thousand characters a
// sede name no longer fits a database key ("key too large"), and an ente
// name is in the header of every page: 1 MiB of it took the export two
// minutes and 5 GB.
func TestNameLength(t *testing.T) {
	long := strings.Repeat("è", MaxNameRunes+1)
	fits := strings.Repeat("è", MaxNameRunes)
	for _, tc := range []struct {
		name  string
		audit Audit
		want  string // in Validate's message; "" accepted
	}{
		{"ente name at the limit", Audit{Ente: Ente{Name: fits}, Year: 2026}, ""},
		{"ente name too long", Audit{Ente: Ente{Name: long}, Year: 2026}, "ente.name: nome dell'ente troppo lungo"},
		{"sede name at the limit", Audit{Ente: Ente{Name: "Comune"}, Year: 2026, Sedi: []Sede{{Name: fits}}}, ""},
		{"sede name too long", Audit{Ente: Ente{Name: "Comune"}, Year: 2026, Sedi: []Sede{{Name: long}}}, "sedi[0].name: nome della sede troppo lungo"},
		{"sede name of 40 000 bytes", Audit{Ente: Ente{Name: "Comune"}, Year: 2026, Sedi: []Sede{{Name: strings.Repeat("M", 40000)}}}, "al massimo 200 caratteri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.audit.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate: %v, want %q", err, tc.want)
			case err != nil && len(err.Error()) > 300:
				t.Fatalf("the message repeats the name: %d bytes", len(err.Error()))
			}
		})
	}
	// The functions the CLI and the TUI call give the same sentence.
	if _, err := CheckSedeName(long); err == nil || !strings.Contains(err.Error(), "nome della sede troppo lungo") {
		t.Errorf("CheckSedeName: %v", err)
	}
	a := Audit{Ente: Ente{Name: "Comune"}, Year: 2026, Sedi: []Sede{{Name: "Municipio"}}}
	if _, _, err := a.RenameSede("Municipio", long); err == nil {
		t.Error("RenameSede accepted a name too long")
	}
	if _, err := a.AddPostazione(Postazione{Code: "PG0540A01", Sede: long}, true); err == nil {
		t.Error("AddPostazione created a sede with a name too long")
	}
}
