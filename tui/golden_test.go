package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/internal/golden"
	"github.com/cieaudit/cieaudit/storage"
)

// goldenExportBase stands for the user's export folder in the goldens.
const goldenExportBase = "/home/giulia/Documenti/cieaudit"

// TestGoldenScreens pins the main screens at the two reference sizes. Run
// with -update after an intended change and review the diff.
func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	screens := []struct {
		name  string
		color bool
		role  checklist.Role                   // default auditor
		ssh   bool                             // a session over SSH
		setup func(*testing.T, *storage.Store) // extra data besides the sample audit
		drive func(h *harness)
	}{
		{name: "home", drive: func(h *harness) { h.press("esc") }},
		{name: "overview", drive: func(h *harness) { h.press("down", "down", "down") }},
		{name: "checklist", drive: func(h *harness) { h.openScope(postPG01); h.moveTo("TEC-01") }},
		{name: "checklist_colour", color: true, drive: func(h *harness) { h.openScope(postPG01); h.press("i"); h.moveTo("FIS-01") }},
		{name: "close", drive: func(h *harness) { h.press("c") }},
		{name: "risk", drive: func(h *harness) { h.press("r") }},
		{name: "help", drive: func(h *harness) { h.openScope(postPG01); h.press("?") }},
		{name: "history", drive: func(h *harness) {
			h.openScope(sedeMunicipio)
			h.moveTo("FIS-02")
			h.press("N")
			h.typeText("Manca la cassaforte")
			h.press("enter")
			h.moveTo("FIS-02")
			h.press("p")
			h.moveTo("FIS-02")
			h.press("h")
		}},
		{name: "detail_scrolled", color: true, drive: func(h *harness) { h.openScope(postPG01); h.press("i"); h.moveTo("FIS-01"); h.press("]") }},
		{name: "note_form", drive: func(h *harness) { h.openScope(postPG01); h.moveTo("TEC-01"); h.press("e") }},
		{name: "export", drive: func(h *harness) { h.m.ctx.exportBase = goldenExportBase; h.press("E") }},
		{name: "export_replace", drive: func(h *harness) {
			h.m.ctx.exportBase = goldenExportBase
			h.press("E")
			// What the export answers when the folder is already there.
			h.feed(exportDoneMsg{dest: goldenExportBase + "/export-comune-di-prova-2026", exists: true})
		}},
		{name: "export_done", drive: func(h *harness) {
			h.m.ctx.exportBase = goldenExportBase
			h.press("E")
			dest := goldenExportBase + "/export-comune-di-prova-2026"
			var paths []string
			for _, f := range []string{"piano-sicurezza-cie.pdf", "piano-sicurezza-cie.html", "risposte.csv", "postazioni.csv", "rischi.csv",
				"azioni.csv", "storico.csv", "eventi.csv", "operatori.csv", "variazioni.csv", "confronto.csv", "audit.xlsx", "audit.json", "SHA256SUMS"} {
				paths = append(paths, dest+"/"+f)
			}
			h.feed(exportDoneMsg{dest: dest, paths: paths})
		}},
		{name: "checklist_evidence", setup: attachSampleEvidence, drive: func(h *harness) { h.openScope(sedeMunicipio); h.moveTo("FIS-01") }},
		{name: "evidence", setup: attachSampleEvidence, drive: func(h *harness) {
			h.openScope(sedeMunicipio)
			h.moveTo("FIS-01")
			h.press("a", "down")
		}},
		{name: "evidence_add", drive: func(h *harness) {
			h.m.ctx.workDir = "/home/giulia/Documenti"
			h.openScope(sedeMunicipio)
			h.moveTo("FIS-01")
			h.press("a", "a")
		}},
		{name: "evidence_ssh", ssh: true, drive: func(h *harness) {
			h.openScope(sedeMunicipio)
			h.moveTo("FIS-01")
			h.press("a", "a")
		}},
		{name: "access_log", role: checklist.RoleAdmin, setup: func(t *testing.T, s *storage.Store) { logSampleAccesses(t, s) },
			drive: func(h *harness) { h.press("esc", "L", "down", "down") }},
	}
	sizes := [][2]int{{80, 24}, {120, 40}}
	for _, sc := range screens {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				t.Parallel()
				s := openTestStore(t)
				id := createSample(t, s)
				if sc.setup != nil {
					sc.setup(t, s)
				}
				opts := Options{Store: s, AuditID: id, Role: sc.role}
				if sc.ssh {
					opts.SSHAddr, opts.ExportRoot = "192.0.2.7:2222", t.TempDir()
				}
				h := newHarness(t, opts, size[0], size[1])
				if sc.color {
					h.m.noColor = false
					h.m.applyStyles()
				}
				sc.drive(h)
				// The audit's ID is random: the ssh command shows it.
				golden.AssertNamed(t, []byte(strings.ReplaceAll(h.m.View().Content, id, "AUDIT-ID")))
			})
		}
	}
}
