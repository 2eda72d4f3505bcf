package ui

import (
	"reflect"
	"slices"
	"sync"

	"pitlane/store"
)

// storeState is what every page reads from the store before anything else:
// the change-feed position and the messages' counters. Both change only in
// committed writes, so they are kept with the store's write count they were
// read at and read again only once it moved.
type storeState struct {
	mu       sync.Mutex
	read     bool
	writes   uint64
	seq      uint64
	messages store.MessagesState
}

// get returns the store's write count, then the feed position and the
// messages' counters as of that count or later.
func (ss *storeState) get(st *store.Store) (writes, seq uint64, m store.MessagesState, err error) {
	writes = st.Writes()
	ss.mu.Lock()
	if ss.read && ss.writes == writes {
		seq, m = ss.seq, ss.messages
		ss.mu.Unlock()
		return writes, seq, m, nil
	}
	ss.mu.Unlock()
	if seq, err = st.LastSeq(); err != nil {
		return writes, seq, m, err
	}
	if m, err = st.MessagesState(); err != nil {
		return writes, seq, m, err
	}
	ss.mu.Lock()
	ss.read, ss.writes, ss.seq, ss.messages = true, writes, seq, m
	ss.mu.Unlock()
	return writes, seq, m, nil
}

// settingsCache keeps the dealership settings with the change-feed position
// they were read at (saving them moves the feed), and a version that moves
// only when they differ from the previous read, for what is built from
// them (frames).
type settingsCache struct {
	mu       sync.Mutex
	read     bool
	seq      uint64
	settings store.Settings
	version  uint64
}

// get returns the settings as of feed position seq (read before calling)
// and their version. The slices are copies the caller may change.
func (sc *settingsCache) get(st *store.Store, seq uint64) (store.Settings, uint64, error) {
	sc.mu.Lock()
	s, ver, ok := sc.settings, sc.version, sc.read && sc.seq == seq
	sc.mu.Unlock()
	if !ok {
		fresh, err := st.Settings()
		if err != nil {
			return fresh, 0, err
		}
		sc.mu.Lock()
		if !sc.read || !reflect.DeepEqual(sc.settings, fresh) {
			sc.version++
		}
		sc.read, sc.seq, sc.settings = true, seq, fresh
		s, ver = fresh, sc.version
		sc.mu.Unlock()
	}
	s.Departments, s.Bays = slices.Clone(s.Departments), slices.Clone(s.Bays)
	return s, ver, nil
}
