package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
)

func readLogoFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "logo", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSetLogo(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	png, jpg := readLogoFile(t, "stemma.png"), readLogoFile(t, "stemma.jpg")

	// A refused file changes nothing and says why, naming the file.
	if _, err := s.SetLogo(a.ID, "finto.png", []byte("testo"), "giulia"); err == nil || !strings.Contains(err.Error(), "stemma finto.png: il contenuto è di tipo testo") {
		t.Fatalf("text as logo: %v", err)
	}
	got, err := s.SetLogo(a.ID, "stemma.png", png, "giulia")
	if err != nil {
		t.Fatal(err)
	}
	if got.Logo == nil || got.Logo.Type != "image/png" || got.Logo.Size != int64(len(png)) || got.Logo.Width != 240 {
		t.Fatalf("logo = %+v", got.Logo)
	}
	snap, err := s.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(snap.LogoData) != string(png) || *snap.Audit.Logo != *got.Logo {
		t.Fatalf("loaded logo %+v, %d bytes", snap.Audit.Logo, len(snap.LogoData))
	}
	last := snap.History[len(snap.History)-1]
	if last.Kind != checklist.ChangeAudit || last.Old != "" || !strings.HasPrefix(last.New, "stemma: immagine PNG 240×300, ") || !strings.HasSuffix(last.New, got.Logo.SHA256) {
		t.Fatalf("history = %+v", last)
	}
	n := len(snap.History)

	// The same image again is no change; another replaces it and its bytes.
	if _, err := s.SetLogo(a.ID, "stemma.png", png, "giulia"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetLogo(a.ID, "stemma.jpg", jpg, "giulia"); err != nil {
		t.Fatal(err)
	}
	snap, _ = s.Load(a.ID)
	if len(snap.History) != n+1 || snap.Audit.Logo.Type != "image/jpeg" || string(snap.LogoData) != string(jpg) {
		t.Fatalf("after replacing: %d entries (want %d), %+v", len(snap.History), n+1, snap.Audit.Logo)
	}
	if h := snap.History[n]; !strings.HasPrefix(h.Old, "stemma: immagine PNG") || !strings.HasPrefix(h.New, "stemma: immagine JPEG") {
		t.Fatalf("replace entry = %+v", h)
	}

	// UpdateAudit cannot change the reference without the bytes.
	if _, err := s.UpdateAudit(a.ID, "giulia", "", func(a *checklist.Audit) error { a.Logo = nil; return nil }); err == nil {
		t.Fatal("UpdateAudit removed the logo reference")
	}
	// The ente form's edits keep it.
	if _, err := s.UpdateAudit(a.ID, "giulia", "", func(a *checklist.Audit) error { a.Ente.Sindaco = "Anna Rossi"; return nil }); err != nil {
		t.Fatal(err)
	}

	// A carried audit keeps the stemma, with its bytes.
	next, _, err := s.CreateCarried(a.ID, "", checklist.CarryRequest{Year: 2027, Auditors: []string{"Marco"}}, "marco")
	if err != nil {
		t.Fatal(err)
	}
	ns, err := s.Load(next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ns.Audit.Logo == nil || string(ns.LogoData) != string(jpg) {
		t.Fatalf("carried logo %+v, %d bytes", ns.Audit.Logo, len(ns.LogoData))
	}

	// Removing: the reference and the bytes go, the history says what was there.
	if _, err := s.SetLogo(a.ID, "", nil, "giulia"); err != nil {
		t.Fatal(err)
	}
	snap, _ = s.Load(a.ID)
	if snap.Audit.Logo != nil || snap.LogoData != nil {
		t.Fatalf("after removing: %+v, %d bytes", snap.Audit.Logo, len(snap.LogoData))
	}
	if h := snap.History[len(snap.History)-1]; !strings.HasPrefix(h.Old, "stemma: immagine JPEG") || h.New != "" {
		t.Fatalf("remove entry = %+v", h)
	}
	rep, err := s.Check()
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("doctor: %v %v", err, rep.Problems)
	}

	// A closed audit's stemma is fixed.
	if _, err := s.SetStatus(a.ID, checklist.StatusClosed, "giulia", "", &checklist.SignOff{Auditors: []string{"Giulia"}, Place: "Valdoria"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetLogo(a.ID, "stemma.png", png, "giulia"); err == nil {
		t.Fatal("logo set on a closed audit")
	}
}
