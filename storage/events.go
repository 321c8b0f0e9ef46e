package storage

// subscriberBuffer lets a subscriber fall this many events behind before it
// starts missing them.
const subscriberBuffer = 64

// Subscribe returns a channel of the changes committed through this Store
// (in this process), and a function to stop receiving. Slow subscribers miss
// events rather than block writers; an event means "reload", not a diff.
// The channel is closed by the stop function or by Close.
func (s *Store) Subscribe() (<-chan Event, func()) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	ch := make(chan Event, subscriberBuffer)
	if s.subsClosed {
		close(ch)
		return ch, func() {}
	}
	if s.subs == nil {
		s.subs = map[int]chan Event{}
	}
	id := s.next
	s.next++
	s.subs[id] = ch
	return ch, func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		if c, ok := s.subs[id]; ok {
			delete(s.subs, id)
			close(c)
		}
	}
}

func (s *Store) publish(e Event) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for _, ch := range s.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

func (s *Store) closeSubscribers() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.subsClosed = true
	for id, ch := range s.subs {
		delete(s.subs, id)
		close(ch)
	}
}
