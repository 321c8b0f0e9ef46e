package checklist

import "testing"

func TestCount(t *testing.T) {
	tests := []struct {
		n         int
		one, many string
		want      string
	}{
		{0, "evento", "eventi", "0 eventi"},
		{1, "evento", "eventi", "1 evento"},
		{2, "evento", "eventi", "2 eventi"},
		{1, "misura verificata", "misure verificate", "1 misura verificata"},
		{57, "misura verificata", "misure verificate", "57 misure verificate"},
		{-1, "voce", "voci", "-1 voci"},
	}
	for _, tt := range tests {
		if got := Count(tt.n, tt.one, tt.many); got != tt.want {
			t.Errorf("Count(%d, %q, %q) = %q, want %q", tt.n, tt.one, tt.many, got, tt.want)
		}
	}
	if Voci(1) != "1 voce" || Risposte(1) != "1 risposta" || Risposte(3) != "3 risposte" {
		t.Errorf("Voci/Risposte: %q %q %q", Voci(1), Risposte(1), Risposte(3))
	}
}
