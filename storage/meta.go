package storage

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt keeps two meta pages, pages 0 and 1, written alternately: the one of
// transaction T is page T%2. On open it uses the valid one with the higher
// transaction ID, so a damaged newest meta page makes it fall back, without
// a word, to the state before the last transaction; tx.Check cannot see it,
// since it checks the tree the surviving meta page points to. bbolt has no
// API for the meta pages, so checkMetaPages reads them from the file, with
// the layout of go.etcd.io/bbolt/internal/common (meta.go and page.go),
// which is the file format and does not change within bbolt v1.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeaderSize = 16 // id uint64, flags uint16, count uint16, overflow uint32
	// magic, version, pageSize, flags (uint32 each), root bucket (root and
	// sequence, uint64 each), freelist, pgid, txid, checksum (uint64 each).
	boltMetaSize     = 64
	boltMetaSumBytes = 56 // the checksum covers every field before it
	boltNoFreelist   = ^uint64(0)
)

// metaPage is one meta page as found in the file.
type metaPage struct {
	index    int
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
	// bad says why the page is not valid; empty when it is.
	bad string
}

// readMetaPage decodes the meta page at off. bbolt writes it in the
// machine's byte order.
func readMetaPage(r io.ReaderAt, index int, off, fileSize int64) metaPage {
	m := metaPage{index: index}
	buf := make([]byte, boltPageHeaderSize+boltMetaSize)
	if n, _ := r.ReadAt(buf, off); n < len(buf) {
		m.bad = "manca (file troncato)"
		return m
	}
	b := buf[boltPageHeaderSize:]
	ne := binary.NativeEndian
	m.pageSize = ne.Uint32(b[8:])
	m.root = ne.Uint64(b[16:])
	m.freelist = ne.Uint64(b[32:])
	m.pgid = ne.Uint64(b[40:])
	m.txid = ne.Uint64(b[48:])
	h := fnv.New64a()
	h.Write(b[:boltMetaSumBytes])
	switch {
	case ne.Uint32(b[0:]) != boltMagic:
		m.bad = "firma non valida"
	case ne.Uint32(b[4:]) != boltVersion:
		m.bad = fmt.Sprintf("versione di formato %d sconosciuta", ne.Uint32(b[4:]))
	case ne.Uint64(b[56:]) != h.Sum64():
		m.bad = "somma di controllo errata"
	case m.root >= m.pgid, m.freelist >= m.pgid && m.freelist != boltNoFreelist:
		m.bad = "riferimenti oltre la fine dei dati"
	case int64(m.pgid)*int64(m.pageSize) > fileSize:
		m.bad = fmt.Sprintf("indica %d pagine ma il file ne contiene meno (troncato)", m.pgid)
	}
	return m
}

// checkMetaPages reads both meta pages of the bbolt file at path and
// returns the problems found, in Italian. The page size is taken from the
// first valid meta page; if page 0 is damaged, page 1 is looked for at every
// page size bbolt supports, as bbolt itself does.
func checkMetaPages(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{fmt.Sprintf("pagine meta: file non leggibile: %v", err)}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return []string{fmt.Sprintf("pagine meta: %v", err)}
	}
	size := fi.Size()
	m0 := readMetaPage(f, 0, 0, size)
	var m1 metaPage
	if m0.bad == "" {
		m1 = readMetaPage(f, 1, int64(m0.pageSize), size)
	} else {
		m1 = metaPage{index: 1, bad: "non trovata"}
		for i := 0; i <= 14; i++ {
			off := int64(1024) << i
			if off >= size {
				break
			}
			if m := readMetaPage(f, 1, off, size); m.bad == "" && int64(m.pageSize) == off {
				m1 = m
				break
			}
		}
	}
	return metaProblems(m0, m1)
}

// metaProblems judges the two meta pages. Two valid pages are fine
// whatever their transaction IDs (a copy made by Backup has T and T-1 in
// pages 0 and 1, and its next commit may make them T+1 and T-1). With one
// damaged page, its own transaction ID, when still readable, says whether
// it was the newer one.
func metaProblems(m0, m1 metaPage) []string {
	switch {
	case m0.bad == "" && m1.bad == "":
		return nil
	case m0.bad != "" && m1.bad != "":
		return []string{fmt.Sprintf("entrambe le pagine meta sono danneggiate (0: %s; 1: %s): ripristinare dal backup", m0.bad, m1.bad)}
	}
	good, bad := m0, m1
	if m0.bad != "" {
		good, bad = m1, m0
	}
	if bad.txid+1 == good.txid {
		// The older one: nothing was lost, and a commit rewrites it.
		return []string{fmt.Sprintf("pagina meta %d danneggiata (%s): è la precedente (transazione %d), nessuna transazione persa; la prossima scrittura la riscrive, ma il disco va controllato", bad.index, bad.bad, bad.txid)}
	}
	what := "potrebbe essere la più recente"
	if bad.txid == good.txid+1 {
		what = fmt.Sprintf("è la più recente, transazione %d", bad.txid)
	}
	return []string{fmt.Sprintf("pagina meta %d danneggiata (%s; %s, il database mostra la transazione %d): l'ultima transazione potrebbe essere andata persa: ripristinare dal backup", bad.index, bad.bad, what, good.txid)}
}
