package checklist

import "testing"

func TestSearchMatches(t *testing.T) {
	hay := FoldSearch("FIS-03 Carta d'identità elettronica: verificare la CITTÀ di residenza")
	tests := []struct {
		query string
		want  bool
	}{
		{"", true},
		{"identita", true},
		{"IDENTITÀ", true},
		{"città fis-03", true},
		{"residenza passaporto", false},
		{"fis-04", false},
	}
	for _, tc := range tests {
		if got := SearchMatches(hay, tc.query); got != tc.want {
			t.Errorf("SearchMatches(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestScopeLabels(t *testing.T) {
	tests := []struct {
		sc        Scope
		label, to string
	}{
		{EnteScope, "Ente", "all'Ente"},
		{Scope{Kind: ScopeSede, Name: "Municipio"}, "Sede Municipio", "alla Sede Municipio"},
		{Scope{Kind: ScopeSede, Name: "Sede Unica"}, "Sede Unica", "alla Sede Unica"},
		{Scope{Kind: ScopeSede, Name: "sede centrale"}, "sede centrale", "alla sede centrale"},
		{Scope{Kind: ScopeSede, Name: "Sedevacante"}, "Sede Sedevacante", "alla Sede Sedevacante"},
		{Scope{Kind: ScopePostazione, Name: "PG01"}, "Postazione PG01", "alla Postazione PG01"},
	}
	for _, tc := range tests {
		if got := tc.sc.Label(); got != tc.label {
			t.Errorf("Label(%v) = %q, want %q", tc.sc, got, tc.label)
		}
		if got := ToScope(tc.sc); got != tc.to {
			t.Errorf("ToScope(%v) = %q, want %q", tc.sc, got, tc.to)
		}
	}
}
