package storage

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"google.golang.org/protobuf/proto"
)

// Backup file format, version 1. A backup is Badger's backup stream (what
// DB.Backup writes and DB.Load reads: little-endian uint64 length, then a
// protobuf KVList, repeated), holding the latest version of every live key
// at one snapshot, encrypted and authenticated with AES-256-GCM:
//
//	header  "BEREDSKAB-BACKUP" (16 bytes), version (1 byte), salt (32),
//	        key check (16): HMAC-SHA256(storage key, "beredskab backup key
//	        check" ‖ salt), first 16 bytes, so a wrong key is named as such
//	chunk*  uint32 big-endian: ciphertext length, top bit set on the last
//	        chunk; then the ciphertext of at most backupChunk plaintext
//	        bytes
//
// The chunk key is HKDF-SHA256(storage key, salt, "beredskab backup v1"),
// new for every file; the nonce is the chunk's index; the additional data
// is the header, the index and the last-chunk bit, so chunks cannot be
// reordered, dropped, or the file cut short without the reader noticing.
const (
	backupMagic   = "BEREDSKAB-BACKUP"
	backupVersion = 1
	backupChunk   = 64 << 10
	lastChunkBit  = 1 << 31
	headerLen     = len(backupMagic) + 1 + 32 + 16
)

// ErrWrongKey is returned (wrapped) when a backup was written under another
// storage key than the one given.
var ErrWrongKey = errors.New("the backup was written with another storage key")

// ErrNotEmpty is returned (wrapped) by Restore when the data folder already
// holds something.
var ErrNotEmpty = errors.New("the data folder is not empty")

// Backup writes an encrypted backup of the records to w: a consistent
// snapshot (one read transaction) of the latest version of every key,
// encrypted under the store's key. It exists so the running bot can back
// itself up: Badger lets one process open the data folder.
func (s *Store) Backup(ctx context.Context, w io.Writer) (keys int, err error) {
	if len(s.key) != KeySize {
		return 0, errors.New("backup: the store has no encryption key")
	}
	ew, err := newEncryptWriter(w, s.key)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if keys, err = s.stream(ctx, func(list *pb.KVList) error { return writeKVList(ew, list) }); err != nil {
		return keys, fmt.Errorf("backup: %w", err)
	}
	if err := ew.Close(); err != nil {
		return keys, fmt.Errorf("backup: %w", err)
	}
	return keys, nil
}

// stream sends the latest version of every live key, at one snapshot, to
// send in lists. It uses Badger's Stream with one goroutine: each of
// Stream's goroutines reads in its own transaction, so only one gives a
// single snapshot. Stream logs and skips a key it cannot read; here that
// fails the whole stream instead, so a backup is never silently partial.
func (s *Store) stream(ctx context.Context, send func(*pb.KVList) error) (int, error) {
	st := s.db.NewStream()
	st.NumGo = 1
	st.LogPrefix = "beredskab backup"
	var mu sync.Mutex
	var readErr error
	st.KeyToList = func(key []byte, itr *badger.Iterator) (*pb.KVList, error) {
		list, err := st.ToList(key, itr)
		if err != nil {
			mu.Lock()
			readErr = errors.Join(readErr, fmt.Errorf("read a record: %w", err))
			mu.Unlock()
		}
		return list, err
	}
	keys := 0
	st.Send = func(buf *z.Buffer) error {
		list, err := badger.BufferToKVList(buf)
		if err != nil {
			return err
		}
		out := list.Kv[:0]
		for _, kv := range list.Kv {
			if !kv.StreamDone {
				out = append(out, kv)
			}
		}
		list.Kv = out
		keys += len(out)
		return send(list)
	}
	if err := st.Orchestrate(ctx); err != nil {
		return keys, err
	}
	mu.Lock()
	defer mu.Unlock()
	return keys, readErr
}

// writeKVList writes one list as DB.Backup does.
func writeKVList(w io.Writer, list *pb.KVList) error {
	buf, err := proto.Marshal(list)
	if err != nil {
		return err
	}
	if err := binary.Write(w, binary.LittleEndian, uint64(len(buf))); err != nil {
		return err
	}
	_, err = w.Write(buf)
	return err
}

// Restore loads the backup read from r into a new store in o.Dir, which
// must be missing or empty, under o.Key (the key the backup was written
// with). It exists for the night the data folder is lost. The records are
// loaded into a folder beside o.Dir and renamed into place when complete,
// so a failed restore leaves o.Dir as it was.
func Restore(ctx context.Context, r io.Reader, o Options) error {
	if o.InMemory || o.Dir == "" {
		return errors.New("restore: a data folder is required")
	}
	if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("restore into %s: %w (restore only into a new or empty folder)", o.Dir, ErrNotEmpty)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore into %s: %w", o.Dir, err)
	}
	tmp := o.Dir
	o.Dir = filepath.Clean(tmp) + ".restoring-" + time.Now().UTC().Format("20060102T150405")
	if err := restoreInto(ctx, r, o); err != nil {
		_ = os.RemoveAll(o.Dir)
		return err
	}
	_ = os.Remove(tmp) // an empty folder is replaced
	if err := os.Rename(o.Dir, tmp); err != nil {
		return fmt.Errorf("restore: the restored records are in %s; rename it to %s: %w", o.Dir, tmp, err)
	}
	return nil
}

func restoreInto(ctx context.Context, r io.Reader, o Options) (err error) {
	if o.InMemory || o.Dir == "" {
		return errors.New("restore: a data folder is required")
	}
	if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("restore into %s: %w (restore only into a new or empty folder)", o.Dir, ErrNotEmpty)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore into %s: %w", o.Dir, err)
	}
	dr, err := newDecryptReader(r, o.Key)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	o.skipFigures = true
	s, err := Open(ctx, o)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if cerr := s.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("restore: %w", cerr)
		}
	}()
	if err := s.db.Load(dr, 16); err != nil {
		return fmt.Errorf("restore into %s: %w", o.Dir, err)
	}
	// Load stops at the end of the data; the decrypting reader has checked
	// the last chunk's mark only when it was read to its end.
	if _, err := io.Copy(io.Discard, dr); err != nil {
		return fmt.Errorf("restore into %s: %w", o.Dir, err)
	}
	// A backup from before the month figures existed has none.
	if err := s.buildFigures(ctx); err != nil {
		return fmt.Errorf("restore into %s: %w", o.Dir, err)
	}
	return nil
}

// VerifyBackup reads a whole backup and checks every chunk under key. It
// returns the number of records in it.
func VerifyBackup(r io.Reader, key []byte) (int, error) {
	dr, err := newDecryptReader(r, key)
	if err != nil {
		return 0, fmt.Errorf("verify backup: %w", err)
	}
	br := bufio.NewReader(dr)
	n := 0
	for {
		var sz uint64
		if err := binary.Read(br, binary.LittleEndian, &sz); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("verify backup: %w", err)
		}
		if sz > 1<<30 {
			return n, errors.New("verify backup: malformed record list")
		}
		buf := make([]byte, sz)
		if _, err := io.ReadFull(br, buf); err != nil {
			return n, fmt.Errorf("verify backup: %w", err)
		}
		var list pb.KVList
		if err := proto.Unmarshal(buf, &list); err != nil {
			return n, fmt.Errorf("verify backup: malformed record list: %w", err)
		}
		n += len(list.Kv)
	}
}

// RotateKey re-encrypts the data folder dir from oldKey to newKey, offline:
// it streams every live record into a new store under newKey beside dir,
// then swaps the folders and deletes the old one. Badger's own rotation
// only re-encrypts its key registry, so the data keys (and any copy of the
// old registry) would still open the data; a new store gets new data keys
// and leaves old versions of records behind.
func RotateKey(ctx context.Context, dir string, oldKey, newKey []byte, logger *slog.Logger) (keys int, err error) {
	if bytes.Equal(oldKey, newKey) {
		return 0, errors.New("rotate key: the new key is the old key")
	}
	old, err := Open(ctx, Options{Dir: dir, Key: oldKey, Logger: logger})
	if err != nil {
		return 0, fmt.Errorf("rotate key: %w", err)
	}
	defer func() {
		if old != nil {
			_ = old.Close()
		}
	}()
	stamp := time.Now().UTC().Format("20060102T150405")
	next := filepath.Clean(dir) + ".rotating-" + stamp
	if _, err := os.Stat(next); err == nil {
		return 0, fmt.Errorf("rotate key: %s exists already", next)
	}
	fresh, err := Open(ctx, Options{Dir: next, Key: newKey, Logger: logger})
	if err != nil {
		return 0, fmt.Errorf("rotate key: %w", err)
	}
	loader := fresh.db.NewKVLoader(16)
	keys, err = old.stream(ctx, func(list *pb.KVList) error {
		for _, kv := range list.Kv {
			if err := loader.Set(kv); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = loader.Finish()
	}
	if cerr := fresh.Close(); err == nil {
		err = cerr
	}
	if cerr := old.Close(); err == nil {
		err = cerr
	}
	old = nil
	if err != nil {
		_ = os.RemoveAll(next)
		return keys, fmt.Errorf("rotate key: copy the records: %w", err)
	}
	retired := filepath.Clean(dir) + ".old-" + stamp
	if err := os.Rename(dir, retired); err != nil {
		_ = os.RemoveAll(next)
		return keys, fmt.Errorf("rotate key: %w", err)
	}
	if err := os.Rename(next, dir); err != nil {
		return keys, fmt.Errorf("rotate key: the records under the new key are in %s and under the old key in %s; "+
			"rename %s to %s by hand: %w", next, retired, next, dir, err)
	}
	if err := os.RemoveAll(retired); err != nil {
		return keys, fmt.Errorf("rotate key: done, but the old folder %s could not be deleted; delete it: %w", retired, err)
	}
	return keys, nil
}

// keyCheck identifies the storage key in a backup's header.
func keyCheck(key, salt []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("beredskab backup key check"))
	m.Write(salt)
	return m.Sum(nil)[:16]
}

func chunkAEAD(key, salt []byte) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, key, salt, "beredskab backup v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func chunkAD(header []byte, index uint64, last bool) []byte {
	ad := append(bytes.Clone(header), make([]byte, 9)...)
	binary.BigEndian.PutUint64(ad[len(header):], index)
	if last {
		ad[len(ad)-1] = 1
	}
	return ad
}

func chunkNonce(index uint64) []byte {
	n := make([]byte, 12)
	binary.BigEndian.PutUint64(n[4:], index)
	return n
}

// encryptWriter encrypts what is written to it in chunks; Close writes the
// last chunk and must be called.
type encryptWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	header []byte
	buf    []byte
	index  uint64
}

func newEncryptWriter(w io.Writer, key []byte) (*encryptWriter, error) {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	aead, err := chunkAEAD(key, salt)
	if err != nil {
		return nil, err
	}
	header := append([]byte(backupMagic), backupVersion)
	header = append(header, salt...)
	header = append(header, keyCheck(key, salt)...)
	if _, err := w.Write(header); err != nil {
		return nil, err
	}
	return &encryptWriter{w: w, aead: aead, header: header, buf: make([]byte, 0, backupChunk)}, nil
}

func (e *encryptWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		take := min(len(p), backupChunk-len(e.buf))
		e.buf = append(e.buf, p[:take]...)
		p, n = p[take:], n+take
		if len(e.buf) == backupChunk {
			if err := e.flush(false); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (e *encryptWriter) flush(last bool) error {
	ct := e.aead.Seal(nil, chunkNonce(e.index), e.buf, chunkAD(e.header, e.index, last))
	size := uint32(len(ct))
	if last {
		size |= lastChunkBit
	}
	if err := binary.Write(e.w, binary.BigEndian, size); err != nil {
		return err
	}
	if _, err := e.w.Write(ct); err != nil {
		return err
	}
	e.buf, e.index = e.buf[:0], e.index+1
	return nil
}

// Close writes the last chunk.
func (e *encryptWriter) Close() error { return e.flush(true) }

// decryptReader checks and decrypts a backup chunk by chunk. It returns
// io.EOF only after the chunk marked last; a file cut short is an error.
type decryptReader struct {
	r      io.Reader
	aead   cipher.AEAD
	header []byte
	buf    []byte
	index  uint64
	done   bool
}

func newDecryptReader(r io.Reader, key []byte) (*decryptReader, error) {
	header := make([]byte, headerLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("read backup header: not a beredskab backup (%w)", err)
	}
	if string(header[:len(backupMagic)]) != backupMagic {
		return nil, errors.New("not a beredskab backup")
	}
	if v := header[len(backupMagic)]; v != backupVersion {
		return nil, fmt.Errorf("backup format version %d is not known to this program (want %d)", v, backupVersion)
	}
	salt := header[len(backupMagic)+1 : len(backupMagic)+33]
	if !hmac.Equal(header[len(backupMagic)+33:], keyCheck(key, salt)) {
		return nil, ErrWrongKey
	}
	aead, err := chunkAEAD(key, salt)
	if err != nil {
		return nil, err
	}
	return &decryptReader{r: r, aead: aead, header: header}, nil
}

func (d *decryptReader) Read(p []byte) (int, error) {
	for len(d.buf) == 0 {
		if d.done {
			return 0, io.EOF
		}
		var size uint32
		if err := binary.Read(d.r, binary.BigEndian, &size); err != nil {
			return 0, fmt.Errorf("backup chunk %d: the file is cut short or damaged: %w", d.index, noEOF(err))
		}
		last := size&lastChunkBit != 0
		size &^= lastChunkBit
		if size > backupChunk+uint32(d.aead.Overhead()) {
			return 0, fmt.Errorf("backup chunk %d: damaged (length %d)", d.index, size)
		}
		ct := make([]byte, size)
		if _, err := io.ReadFull(d.r, ct); err != nil {
			return 0, fmt.Errorf("backup chunk %d: the file is cut short: %w", d.index, noEOF(err))
		}
		pt, err := d.aead.Open(ct[:0], chunkNonce(d.index), ct, chunkAD(d.header, d.index, last))
		if err != nil {
			return 0, fmt.Errorf("backup chunk %d: damaged or altered (authentication failed)", d.index)
		}
		d.buf, d.index, d.done = pt, d.index+1, last
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

// noEOF turns an end of file inside a backup into io.ErrUnexpectedEOF:
// only the last chunk may end it.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
