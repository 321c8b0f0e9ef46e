package checklist

import "testing"

func TestCleanText(t *testing.T) {
	tests := []struct {
		in        string
		multiline bool
		want      string
	}{
		{"  Chiavi in armadietto  ", true, "Chiavi in armadietto"},
		{"città è già", false, "città è già"},
		{"riga uno\r\nriga due\n\tpunto", true, "riga uno\nriga due\n\tpunto"},
		{"riga uno\nriga due", false, `riga uno\x0ariga due`},
		{"a\nb\r\tc", false, `a\x0ab\x0d\x09c`},
		{"\x1b]0;PWNED\x07\x1b[2Jtesto", true, `\x1b]0;PWNED\x07\x1b[2Jtesto`},
		{"\u009b31m", false, `\x9b31m`},
		{"x\x7f", false, `x\x7f`},
		{"riga\u2028finta", true, `riga\u2028finta`},
		{"abc\u202egpj.exe", false, `abc\u202egpj.exe`},
		{"arabic\u061cmark", false, `arabic\u061cmark`},
		{"bad\xffutf8", false, `bad\xffutf8`},
		{"perché è così € fine", true, "perché è così € fine"},
		{"", true, ""},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in, tt.multiline); got != tt.want {
			t.Errorf("CleanText(%q, %v) = %q, want %q", tt.in, tt.multiline, got, tt.want)
		}
	}
}
