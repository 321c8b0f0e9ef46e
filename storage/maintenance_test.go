package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/cieaudit/cieaudit/checklist"
)

// populated returns the path of a closed database holding an audit with a
// few answers.
func populated(t *testing.T) (path, auditID string) {
	t.Helper()
	s := openTest(t, Options{})
	a := seed(t, s)
	for i, v := range []string{"si", "no", "parziale", "si"} {
		mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: v, Note: strings.Repeat("nota ", 200*i)})
	}
	mustSave(t, s, a.ID, checklist.Answer{Scope: postA01, Item: "TEC-01", Value: strings.Repeat("Windows ", 1000)})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.Path(), a.ID
}

func TestBackup(t *testing.T) {
	s := openTest(t, Options{Hold: true})
	a := seed(t, s)
	mustSave(t, s, a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si"})
	dst := filepath.Join(t.TempDir(), "copia.db")
	if err := os.WriteFile(dst, []byte("vecchio backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The store holds the file: the copy is made through it, while in use.
	if _, err := s.Backup(dst); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	copyStore, err := Open(dst, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	want, _ := s.Load(a.ID)
	got, err := copyStore.Load(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Answers) != 1 || got.Answers[0] != want.Answers[0] || len(got.History) != len(want.History) {
		t.Errorf("backup holds %+v, want %+v", got.Answers, want.Answers)
	}

	if _, err := s.Backup(s.Path()); err == nil {
		t.Error("Backup over the database itself was accepted")
	}
	missing := filepath.Join(t.TempDir(), "manca", "copia.db")
	if _, err := s.Backup(missing); err == nil {
		t.Error("Backup into a missing folder succeeded")
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Errorf("backup left temporary files: %v", entries)
	}
}

func TestCorruptFiles(t *testing.T) {
	good, auditID := populated(t)
	src, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	rng := rand.New(rand.NewPCG(1, 2))
	randomBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	tests := []struct {
		name string
		data func() []byte
	}{
		{"truncated to half", func() []byte { return src[:len(src)/2] }},
		{"truncated inside the meta pages", func() []byte { return src[:pageSize+100] }},
		{"random bytes", func() []byte { return randomBytes(8 * pageSize) }},
		{"text file", func() []byte { return []byte("questo non è un database\n") }},
		{"garbage in every data page", func() []byte {
			b := append([]byte(nil), src...)
			for off := 2 * pageSize; off+64 < len(b); off += pageSize {
				copy(b[off+8:], randomBytes(56))
			}
			return b
		}},
		{"garbage inside a stored answer", func() []byte {
			// bbolt has no page checksums: only decoding finds this
			// (stored text is valid UTF-8, these bytes are not).
			return bytes.ReplaceAll(src, []byte("Windows"), []byte("\xff\xfeindows"))
		}},
		{"garbage in the root page", func() []byte {
			b := append([]byte(nil), src...)
			root := rootPage(b, pageSize)
			copy(b[root*pageSize+8:], randomBytes(64))
			return b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rotto.db")
			if err := os.WriteFile(path, tt.data(), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, hold := range []bool{false, true} {
				detected := false
				s, err := Open(path, Options{Hold: hold})
				if err != nil {
					detected = true
					t.Logf("hold=%v: Open: %v", hold, err)
					if !errors.Is(err, ErrCorrupt) {
						t.Errorf("Open error %v does not wrap ErrCorrupt", err)
					}
					if !strings.Contains(err.Error(), "backup") {
						t.Errorf("Open error does not say what to do: %v", err)
					}
					continue
				}
				rep, err := s.Check()
				if err != nil || len(rep.Problems) > 0 {
					detected = true
					t.Logf("hold=%v: Check: %v %q", hold, err, rep.Problems)
				}
				if _, err := s.Load(auditID); err != nil {
					detected = true
					t.Logf("hold=%v: Load: %v", hold, err)
				}
				s.Close()
				if !detected {
					t.Errorf("hold=%v: the damage went unnoticed", hold)
				}
			}
		})
	}
}

// rootPage reads the root bucket's page from the newer of the two meta
// pages: page header 16 bytes, then magic, version, page size, flags (4
// bytes each), root pgid, root sequence, freelist, high-water mark, txid.
func rootPage(b []byte, pageSize int) int {
	best, root := uint64(0), 0
	for m := range 2 {
		meta := b[m*pageSize+16:]
		if txid := binary.LittleEndian.Uint64(meta[48:]); txid >= best {
			best, root = txid, int(binary.LittleEndian.Uint64(meta[16:]))
		}
	}
	return root
}

func TestCommitFailureSavesNothing(t *testing.T) {
	// bbolt's MaxSize makes a commit fail exactly where a full disk would:
	// when the file has to grow.
	s := openTest(t, Options{maxSize: 256 << 10})
	a := seed(t, s)
	var last SaveResult
	var err error
	for i := range 1000 {
		var r SaveResult
		r, err = s.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Note: strings.Repeat(string(rune('a'+i%26)), 20_000)}, -1)
		if err != nil {
			break
		}
		last = r
	}
	if err == nil {
		t.Fatal("the database never filled up")
	}
	if !errors.Is(err, bolterrors.ErrMaxSizeReached) || !strings.Contains(err.Error(), "nessuna modifica salvata") {
		t.Fatalf("err = %v, want the commit failure wrapped with context", err)
	}
	answers, err := s.Answers(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0] != last.Answer {
		t.Errorf("after the failed save the stored answer is %+v, want the last saved rev %d", answers[0].Rev, last.Answer.Rev)
	}
	h := mustHistory(t, s, a.ID)
	if n := h[len(h)-1]; n.New != last.Answer.Note {
		t.Errorf("history ends with %q…, want the last saved note", n.New[:10])
	}
	rep, err := s.Check()
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("Check after the failed commit: %v %v", err, rep.Problems)
	}
}

func TestCheckCounts(t *testing.T) {
	path, _ := populated(t)
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	// 4 saves of ORG-01 + 1 of TEC-01; history: creation, 4 answers, 3 notes, start, TEC-01.
	if rep.Audits != 1 || rep.Answers != 2 || rep.Catalogues != 1 || rep.HistoryItems != 10 || rep.SizeBytes == 0 || len(rep.Problems) > 0 || rep.Path != path {
		t.Errorf("Check = %+v", rep)
	}
}

// TestDiskFull fills a real (tiny) tmpfs. It needs the right to mount, so
// it is skipped where that is refused.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs")
	}
	dir := filepath.Join(t.TempDir(), "piccolo")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })

	for _, hold := range []bool{false, true} {
		path := filepath.Join(dir, fmt.Sprintf("hold-%v.db", hold))
		s, err := Open(path, Options{Hold: hold, Now: newClock().Now})
		if err != nil {
			t.Fatal(err)
		}
		a := seed(t, s)
		var last SaveResult
		for i := range 1000 {
			var r SaveResult
			r, err = s.SaveAnswer(a.ID, checklist.Answer{Scope: checklist.EnteScope, Item: "ORG-01", Value: "si", Note: strings.Repeat(string(rune('a'+i%26)), 20_000)}, -1)
			if err != nil {
				break
			}
			last = r
		}
		if err == nil {
			t.Fatalf("hold=%v: the disk never filled up", hold)
		}
		t.Logf("hold=%v: after %d saves: %v", hold, last.Answer.Rev, err)
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "nessuna modifica salvata") {
			t.Errorf("hold=%v: err = %v, want ENOSPC wrapped with context", hold, err)
		}
		s.Close()

		// Reopened (read-only: nothing may be written on a full disk), the
		// file holds exactly what was confirmed.
		s, err = Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("hold=%v: reopening after the disk filled: %v", hold, err)
		}
		answers, err := s.Answers(a.ID)
		if err != nil || len(answers) != 1 || answers[0] != last.Answer {
			t.Errorf("hold=%v: stored %+v, want rev %d (%v)", hold, answers, last.Answer.Rev, err)
		}
		rep, err := s.Check()
		if err != nil || len(rep.Problems) > 0 {
			t.Errorf("hold=%v: Check: %v %v", hold, err, rep.Problems)
		}
		s.Close()
		// Free the space for the next mode.
		_ = os.Remove(path)
	}
}

func TestPanicInCallerIsNotCorruption(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	_, err := s.UpdateAudit(a.ID, "giulia", "", func(a *checklist.Audit) error {
		var sedi []checklist.Sede
		a.Ente.Name = sedi[3].Name // a bug in the caller
		return nil
	})
	if err == nil || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "errore interno") {
		t.Fatalf("err = %v, want an internal error, not corruption", err)
	}
	// The store is still usable and nothing was written.
	if got, err := s.Audit(a.ID); err != nil || got.Ente.Name != a.Ente.Name {
		t.Fatalf("after the panic: %+v %v", got, err)
	}
}

func TestBackupTo(t *testing.T) {
	s := openTest(t, Options{})
	a := seed(t, s)
	var buf bytes.Buffer
	n, err := s.BackupTo(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("BackupTo = %d, %v (buffer %d bytes)", n, err, buf.Len())
	}
	path := filepath.Join(t.TempDir(), "flusso.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := c.Audit(a.ID); err != nil || got.Ente.Name != a.Ente.Name {
		t.Fatalf("streamed copy: %+v %v", got, err)
	}
}
