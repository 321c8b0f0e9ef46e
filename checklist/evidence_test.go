package checklist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectEvidenceTypeByContent(t *testing.T) {
	tests := []struct {
		file, want, refused string
	}{
		{"armadio.png", "image/png", ""},
		{"verbale.pdf", "application/pdf", ""},
		{"relazione.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""},
		{"relazione.odt", "application/vnd.oasis.opendocument.text", ""},
		{"vecchio.doc", "application/x-ole-storage", ""},
		{"archivio.zip", "", "archivio zip non ammesso"},
		{"programma.exe", "", "non ammesso"},
		{"pagina.html", "", `"text/html" non ammesso`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", "evidence", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := DetectEvidenceType(data)
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("got %q, %v; want refusal %q", got, err, tc.refused)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	for name, data := range map[string]string{"text": "armadio chiuso\n", "latin1": "perch\xe9", "empty": ""} {
		_, err := DetectEvidenceType([]byte(data))
		if (name == "text") != (err == nil) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestEvidenceNameAndLimits(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":      "passwd",
		`C:\Users\foto.jpg`:     "foto.jpg",
		"foto\x1b[31m.jpg":      `foto\x1b[31m.jpg`,
		"  verbale firmato.pdf": "verbale firmato.pdf",
	} {
		got, err := EvidenceName(in)
		if err != nil || got != want {
			t.Errorf("EvidenceName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "..", "/", strings.Repeat("a", MaxEvidenceNameRunes+1)} {
		if _, err := EvidenceName(bad); err == nil {
			t.Errorf("EvidenceName(%q) accepted", bad)
		}
	}

	cat := mustBuiltin(t)
	a := &Audit{ID: "prova", Sedi: []Sede{{Name: "Municipio"}}}
	text := []byte("armadio chiuso\n")
	e, err := NewEvidence(a, cat, Scope{Kind: ScopeEnte}, "ORG-01", "nota.txt", "", text, nil)
	if err != nil || e.Type != "text/plain" || e.Size != int64(len(text)) || len(e.Digest) != 64 {
		t.Fatalf("NewEvidence: %+v, %v", e, err)
	}
	if _, err := NewEvidence(a, cat, Scope{Kind: ScopeSede, Name: "Municipio"}, "ORG-01", "n.txt", "", text, nil); err == nil {
		t.Error("an ente item accepted at a sede")
	}
	if _, err := NewEvidence(a, cat, Scope{Kind: ScopeEnte}, "NOPE-1", "n.txt", "", text, nil); err == nil {
		t.Error("an unknown item accepted")
	}
	big := make([]byte, MaxEvidenceBytes+1)
	if _, err := NewEvidence(a, cat, Scope{Kind: ScopeEnte}, "ORG-01", "n.txt", "", big, nil); err == nil || !strings.Contains(err.Error(), "MiB per allegato") {
		t.Errorf("an oversized file: %v", err)
	}
	full := []Evidence{{Digest: "x", Size: MaxEvidenceAuditBytes - 2}}
	if _, err := NewEvidence(a, cat, Scope{Kind: ScopeEnte}, "ORG-01", "n.txt", "", text, full); err == nil || !strings.Contains(err.Error(), "per audit") && !strings.Contains(err.Error(), "dell'audit") {
		t.Errorf("over the audit's limit: %v", err)
	}
	// The same content again does not count twice.
	same := []Evidence{{Digest: e.Digest, Size: e.Size}, {Digest: "y", Size: MaxEvidenceAuditBytes - e.Size}}
	if _, err := NewEvidence(a, cat, Scope{Kind: ScopeEnte}, "ORG-01", "n.txt", "", text, same); err != nil {
		t.Errorf("a repeated content counted twice: %v", err)
	}
	if got := EvidenceFileName(Evidence{ID: "al-3", Type: "image/png", Digest: strings.Repeat("ab", 32)}); got != "al-3-abababababab.png" {
		t.Errorf("EvidenceFileName = %q", got)
	}
}

func mustBuiltin(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
