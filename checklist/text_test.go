package checklist

import "testing"

func TestCleanText(t *testing.T) {
	tests := []struct {
		in        string
		multiline bool
		want      string
	}{
		{"  Chiavi in armadietto  ", true, "Chiavi in armadietto"},
		{"riga uno\r\nriga due\n\tpunto", true, "riga uno\nriga due\n\tpunto"},
		{"riga uno\nriga due", false, `riga uno\x0ariga due`},
		{"\x1b]0;PWNED\x07\x1b[2Jtesto", true, `\x1b]0;PWNED\x07\x1b[2Jtesto`},
		{"perché è così € \u0085fine", true, `perché è così € \x85fine`},
		{"", true, ""},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in, tt.multiline); got != tt.want {
			t.Errorf("CleanText(%q, %v) = %q, want %q", tt.in, tt.multiline, got, tt.want)
		}
	}
}
