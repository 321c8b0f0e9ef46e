package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// gatedStore is a real store whose Load, the first step of an export,
// waits for release and then fails with err, panics with panicWith, or
// reads the database.
type gatedStore struct {
	*storage.Store
	release   chan struct{}
	err       error
	panicWith any
}

func (g gatedStore) Load(id string) (*checklist.Snapshot, error) {
	if g.release != nil {
		<-g.release
	}
	if g.panicWith != nil {
		panic(g.panicWith)
	}
	if g.err != nil {
		return nil, g.err
	}
	return g.Store.Load(id)
}

// TestExportResultReachesUserAfterEsc: esc while an export runs keeps the
// page, and the result, success or failure, is shown when it comes.
func TestExportResultReachesUserAfterEsc(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus string
		wantKind   statusKind
	}{
		{"success", nil, "Esportati ", statusOK},
		{"failure", errors.New("spazio su disco esaurito"), "Esportazione non riuscita: spazio su disco esaurito", statusError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			id := createSample(t, s)
			// The audit is opened through the real store; only the
			// export's Load is held and then answered as the case says.
			g := &gatedStore{Store: s}
			h := newHarness(t, Options{Store: g, AuditID: id}, 100, 30)
			h.press("E")
			p, ok := h.m.top().(*exportPage)
			if !ok {
				t.Fatalf("top page is %T, want the export page", h.m.top())
			}
			g.release, g.err = make(chan struct{}), tc.err

			_, start := h.m.Update(keyMsg("enter"))
			if !p.running {
				t.Fatal("export not started")
			}
			for _, k := range []string{"esc", "q"} {
				h.press(k)
				if h.m.top() != p {
					t.Fatalf("%s while exporting left the export page for %T", k, h.m.top())
				}
				if !strings.Contains(h.m.status, "Esportazione in corso") {
					t.Errorf("%s while exporting: status %q does not say the export is running", k, h.m.status)
				}
			}
			close(g.release)
			h.run(start)
			h.settle(func() bool { return !p.running }, 60*time.Second)
			if !strings.HasPrefix(h.m.status, tc.wantStatus) || h.m.statusKind != tc.wantKind {
				t.Fatalf("status %q (kind %d), want %q (kind %d)", h.m.status, h.m.statusKind, tc.wantStatus, tc.wantKind)
			}
			// Once it is over, esc goes back as usual.
			h.press("esc")
			if _, ok := h.m.top().(*exportPage); ok {
				t.Fatal("esc after the export did not leave the page")
			}
		})
	}
}

// TestExportPanicIsReportedNotFatal: a panic while exporting becomes the
// export's failure instead of ending the process (the whole SSH server).
func TestExportPanicIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	id := createSample(t, s)
	g := &gatedStore{Store: s}
	h := newHarness(t, Options{Store: g, AuditID: id}, 100, 30)
	h.press("E")
	p := h.m.top().(*exportPage)
	g.panicWith = "indice fuori dai limiti"
	h.press("enter")
	h.settle(func() bool { return !p.running }, 60*time.Second)
	if p.err == nil || !strings.Contains(p.err.Error(), "errore interno durante l'esportazione") ||
		!strings.Contains(p.err.Error(), "indice fuori dai limiti") {
		t.Fatalf("export error = %v, want the internal error with the panic", p.err)
	}
	if h.m.statusKind != statusError || !strings.HasPrefix(h.m.status, "Esportazione non riuscita: errore interno") {
		t.Fatalf("status %q (kind %d), want the internal error", h.m.status, h.m.statusKind)
	}
	h.requireScreen("Errore: errore interno durante l'esportazione")
}
