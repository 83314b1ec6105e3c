package googlefake

import (
	"net/http"
	"strconv"
	"time"

	"google.golang.org/api/drive/v3"
)

// Drive's change log (changes.getStartPageToken, changes.list). Every
// mutation of a file's metadata (PutDoc, PutSheet, PutFile, Touch, Trash,
// SetFileParent, the API's own writes, RemoveFile) appends a change; a page
// token is the id of the first change a list is to return, as a decimal
// string (Drive's tokens look the same). changes.list returns each file
// changed since the token once, at its latest change and in its current
// state, oldest first; a removed file comes as removed with no file.

// change is one entry of the change log.
type change struct {
	id     int64
	fileID string
	at     time.Time
}

// logChangeLocked appends a change of file id to the log.
func (s *Server) logChangeLocked(id string, at time.Time) {
	if s.nextChange == 0 {
		s.nextChange = firstChangeID
	}
	s.changes = append(s.changes, change{id: s.nextChange, fileID: id, at: at})
	s.nextChange++
}

// firstChangeID is the id of the fake's first change (and its first start
// page token).
const firstChangeID = 1001

// RemoveFile deletes a file for good (its document or spreadsheet too): it
// is no longer readable, and changes.list reports it removed.
func (s *Server) RemoveFile(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[id]; !ok {
		panic("googlefake: RemoveFile: no file " + id)
	}
	delete(s.files, id)
	delete(s.docs, id)
	delete(s.books, id)
	s.logChangeLocked(id, s.now().UTC().Truncate(time.Millisecond))
}

// ExpireChanges forgets the change log so far: a page token from before is
// rejected (410 Gone), as Drive rejects a token it no longer honours; the
// client must start over from changes.getStartPageToken.
func (s *Server) ExpireChanges() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nextChange == 0 {
		s.nextChange = firstChangeID
	}
	s.changes = nil
	s.nextChange++ // no token handed out so far is honoured
	s.changeBase = s.nextChange
}

// StartPageToken is the token changes.getStartPageToken answers now.
func (s *Server) StartPageToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startTokenLocked()
}

func (s *Server) startTokenLocked() string {
	if s.nextChange == 0 {
		s.nextChange = firstChangeID
	}
	return strconv.FormatInt(s.nextChange, 10)
}

// serveChanges serves GET /drive/v3/changes/startPageToken and
// GET /drive/v3/changes.
func (s *Server) serveChanges(w http.ResponseWriter, r *http.Request, segs []string) {
	switch {
	case r.Method == http.MethodGet && len(segs) == 4 && segs[3] == "startPageToken":
		s.mu.Lock()
		tok := &drive.StartPageToken{Kind: "drive#startPageToken", StartPageToken: s.startTokenLocked()}
		s.mu.Unlock()
		s.writeMasked(w, r, tok, "kind,startPageToken")
	case r.Method == http.MethodGet && len(segs) == 3:
		s.changesList(w, r)
	default:
		writeDriveError(w, http.StatusNotFound, errorItem{Message: "googlefake: only changes.list and changes.getStartPageToken are served", Domain: "global", Reason: "notFound"})
	}
}

func (s *Server) changesList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("pageToken")
	if tok == "" {
		writeDriveError(w, http.StatusBadRequest, errorItem{Message: "Required parameter: pageToken", Domain: "global",
			Reason: "required", Location: "pageToken", LocationType: "parameter"})
		return
	}
	from, err := strconv.ParseInt(tok, 10, 64)
	if err != nil || from < 1 {
		invalidDriveParam(w, "pageToken", "Invalid Value")
		return
	}
	pageSize, ok := drivePageSize(w, q.Get("pageSize"))
	if !ok {
		return
	}
	includeRemoved := q.Get("includeRemoved") != "false"

	s.mu.Lock()
	next := s.nextChange
	if next == 0 {
		next = firstChangeID
	}
	if from < s.changeBase || from > next {
		s.mu.Unlock()
		// Drive documents only that a rejected token must be discarded
		// and the listing started over; an expired one comes back 410.
		writeDriveError(w, http.StatusGone, errorItem{Message: "The page token is no longer valid.", Domain: "global",
			Reason: "gone", Location: "pageToken", LocationType: "parameter"})
		return
	}
	// Each file once, at its latest change since from.
	latest := map[string]int{}
	for i, c := range s.changes {
		if c.id >= from {
			latest[c.fileID] = i
		}
	}
	list := &drive.ChangeList{Kind: "drive#changeList", Changes: []*drive.Change{}}
	var last int64
	full := false
	for i, c := range s.changes {
		if c.id < from || latest[c.fileID] != i {
			continue
		}
		f, exists := s.files[c.fileID]
		if !exists && !includeRemoved {
			continue
		}
		if len(list.Changes) == pageSize {
			full = true
			break
		}
		ch := &drive.Change{Kind: "drive#change", ChangeType: "file", FileId: c.fileID, Time: c.at.Format(driveTime),
			Removed: !exists, ForceSendFields: []string{"Removed"}}
		if exists {
			ch.File = f.api()
			ch.File.ForceSendFields = []string{"Trashed"}
		}
		list.Changes = append(list.Changes, ch)
		last = c.id
	}
	if full {
		list.NextPageToken = strconv.FormatInt(last+1, 10)
	} else {
		list.NewStartPageToken = strconv.FormatInt(next, 10)
	}
	s.mu.Unlock()
	s.writeMasked(w, r, list, "kind,nextPageToken,newStartPageToken,changes")
}

// drivePageSize parses pageSize (1..1000, 100 when absent); false when it
// answered 400.
func drivePageSize(w http.ResponseWriter, v string) (int, bool) {
	if v == "" {
		return 100, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		invalidDriveParam(w, "pageSize", "Invalid value '"+v+"'. Values must be within the range: [1, 1000]")
		return 0, false
	}
	return n, true
}

// writeMasked answers v with the request's fields selection (def when it
// names none).
func (s *Server) writeMasked(w http.ResponseWriter, r *http.Request, v any, def string) {
	fields := r.URL.Query().Get("fields")
	if fields == "" {
		fields = def
	}
	out, err := masked(v, fields)
	if err != nil {
		invalidDriveParam(w, "fields", "Invalid field selection "+fields)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
