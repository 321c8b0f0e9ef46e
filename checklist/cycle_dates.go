package checklist

import (
	"fmt"
	"strings"
	"time"
)

// parseDay reads a calendar date, AAAA-MM-GG or GG/MM/AAAA, and returns it
// as AAAA-MM-GG.
func parseDay(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("%q non è una data valida (AAAA-MM-GG o GG/MM/AAAA)", s)
}
