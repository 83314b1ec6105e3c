package googlefake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/drive/v3"
)

// driveTime is how Drive writes times: RFC 3339 in UTC with milliseconds.
const driveTime = "2006-01-02T15:04:05.000Z"

// file is a Drive file's metadata.
type file struct {
	id, name, mime string
	parents        []string
	trashed        bool
	created        time.Time
	modified       time.Time
	version        int64
	// modifier is who made the last change (Drive's lastModifyingUser);
	// nil for an anonymous edit (a link anyone can edit).
	modifier *drive.User
	// comments are the file's comments (comments.go), in creation order;
	// commentFaults fail its next comment writes.
	comments      []*comment
	commentFaults []Fault
}

// User is who changes a file, as Drive reports them in the file's
// lastModifyingUser. EmailAddress may be empty: Drive leaves it out when the
// user has not made their address visible to the requester.
type User struct {
	DisplayName, EmailAddress string
}

// caller is who the API's own writes (the tool writing the summary) are
// made by: the service account, "me" to the requester.
var caller = &drive.User{Kind: "drive#user", DisplayName: "dayreport", EmailAddress: "dayreport@dayreport.iam.gserviceaccount.com", Me: true}

// modifierOf is the lastModifyingUser of a change made by by: its first
// user, nil (an anonymous edit) when none is given.
func modifierOf(by []User) *drive.User {
	if len(by) == 0 {
		return nil
	}
	return &drive.User{Kind: "drive#user", DisplayName: by[0].DisplayName, EmailAddress: by[0].EmailAddress}
}

// PutFile creates or updates a Drive file's metadata (a folder, or a file
// that is neither a Doc nor a Sheet); an existing file keeps its parents.
// Docs and Sheets get theirs from PutDoc and PutSheet.
func (s *Server) PutFile(id, name, mimeType string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touchLocked(id, name, mimeType, nil)
}

// SetFileParent makes folderID the only parent of file id, for Drive queries
// "'folderID' in parents". The move is a change in the change log; unlike
// Drive, it keeps the file's version (fixtures set parents after content).
func (s *Server) SetFileParent(id, folderID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		panic("googlefake: SetFileParent: no file " + id)
	}
	f.parents = []string{folderID}
	s.logChangeLocked(id, s.now().UTC().Truncate(time.Millisecond))
}

// Touch bumps a file's modifiedTime and version without changing its
// content, as a change made by by (at most one: who Drive then names as the
// file's lastModifyingUser; none is an anonymous edit).
func (s *Server) Touch(id string, by ...User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[id]; !ok {
		panic("googlefake: Touch: no file " + id)
	}
	s.touchLocked(id, "", "", modifierOf(by))
}

// Trash moves a file to the trash (or out of it): it stays readable, and
// Drive lists it unless the query says "trashed = false".
func (s *Server) Trash(id string, trashed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		panic("googlefake: Trash: no file " + id)
	}
	f.trashed = trashed
	s.touchLocked(id, "", "", f.modifier)
}

// File returns a file's Drive metadata as files.get with fields=* would.
func (s *Server) File(id string) (*drive.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return nil, false
	}
	return f.api(), true
}

// touchLocked creates or updates a file: a new modifiedTime (strictly later
// than the previous one), the next version, and by as its last modifying
// user. Empty name or mime keep the current ones.
func (s *Server) touchLocked(id, name, mime string, by *drive.User) {
	now := s.now().UTC().Truncate(time.Millisecond)
	f, ok := s.files[id]
	if !ok {
		f = &file{id: id, created: now}
		s.files[id] = f
	}
	if name != "" {
		f.name = name
	}
	if mime != "" {
		f.mime = mime
	}
	if !now.After(f.modified) {
		now = f.modified.Add(time.Millisecond)
	}
	f.modified = now
	f.version++
	f.modifier = by
	s.logChangeLocked(id, now)
}

func (f *file) api() *drive.File {
	return &drive.File{
		Kind: "drive#file", Id: f.id, Name: f.name, MimeType: f.mime,
		Parents: slices.Clone(f.parents), Trashed: f.trashed,
		CreatedTime: f.created.Format(driveTime), ModifiedTime: f.modified.Format(driveTime),
		Version: f.version, LastModifyingUser: cloneUser(f.modifier),
	}
}

func cloneUser(u *drive.User) *drive.User {
	if u == nil {
		return nil
	}
	c := *u
	return &c
}

func invalidDriveParam(w http.ResponseWriter, location, message string) {
	writeDriveError(w, http.StatusBadRequest, errorItem{
		Message: message, Domain: "global", Reason: "invalid", Location: location, LocationType: "parameter",
	})
}

func (s *Server) serveDrive(w http.ResponseWriter, r *http.Request, segs []string) {
	if segs[2] == "changes" {
		s.serveChanges(w, r, segs)
		return
	}
	if len(segs) >= 5 && segs[4] == "comments" {
		s.serveComments(w, r, segs)
		return
	}
	if r.Method != http.MethodGet || len(segs) > 4 {
		writeDriveError(w, http.StatusNotFound, errorItem{Message: "googlefake: only files.list and files.get are served", Domain: "global", Reason: "notFound"})
		return
	}
	if len(segs) == 4 {
		s.driveGet(w, r, segs[3])
		return
	}
	s.driveList(w, r)
}

func (s *Server) driveGet(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	f, ok := s.files[id]
	var df *drive.File
	if ok {
		df = f.api()
	}
	s.mu.Unlock()
	if !ok {
		msg := "File not found: " + id + "."
		writeDriveError(w, http.StatusNotFound, errorItem{Message: msg, Domain: "global", Reason: "notFound", Location: "fileId", LocationType: "parameter"})
		return
	}
	fields := r.URL.Query().Get("fields")
	if fields == "" {
		fields = "kind,id,name,mimeType"
	}
	out, err := masked(df, fields)
	if err != nil {
		invalidDriveParam(w, "fields", "Invalid field selection "+fields)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) driveList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	match, err := parseDriveQuery(q.Get("q"))
	if err != nil {
		invalidDriveParam(w, "q", "Invalid Value")
		return
	}
	pageSize, ok := drivePageSize(w, q.Get("pageSize"))
	if !ok {
		return
	}
	offset := 0
	if tok := q.Get("pageToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "offset:") || n < 0 {
			invalidDriveParam(w, "pageToken", "Invalid Value")
			return
		}
		offset = n
	}
	less, err := driveOrder(q.Get("orderBy"))
	if err != nil {
		invalidDriveParam(w, "orderBy", "Invalid Value")
		return
	}

	s.mu.Lock()
	var hits []*file
	for _, f := range s.files {
		if match(f) {
			hits = append(hits, f)
		}
	}
	slices.SortFunc(hits, less)
	list := &drive.FileList{Kind: "drive#fileList", Files: []*drive.File{}}
	for i := offset; i < len(hits) && i < offset+pageSize; i++ {
		list.Files = append(list.Files, hits[i].api())
	}
	if offset+pageSize < len(hits) {
		list.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset+pageSize)))
	}
	s.mu.Unlock()

	fields := q.Get("fields")
	if fields == "" {
		fields = "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)"
	}
	j, err := toJSONValue(list)
	if err != nil {
		writeDriveError(w, http.StatusInternalServerError, errorItem{Message: err.Error(), Domain: "global", Reason: "internalError"})
		return
	}
	j.(map[string]any)["incompleteSearch"] = false
	m, err := parseFields(fields)
	if err != nil {
		invalidDriveParam(w, "fields", "Invalid field selection "+fields)
		return
	}
	writeJSON(w, http.StatusOK, m.apply(j))
}

// driveOrder parses orderBy: comma-separated keys among name, modifiedTime,
// createdTime and folder, each optionally followed by "desc". Ties, and no
// orderBy at all, go by id.
func driveOrder(orderBy string) (func(a, b *file) int, error) {
	type key struct {
		name string
		desc bool
	}
	var keys []key
	for part := range strings.SplitSeq(orderBy, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		k := key{name: f[0]}
		if len(f) == 2 && strings.EqualFold(f[1], "desc") {
			k.desc = true
		} else if len(f) != 1 {
			return nil, fmt.Errorf("bad orderBy %q", orderBy)
		}
		switch k.name {
		case "name", "modifiedTime", "createdTime", "folder", "name_natural":
		default:
			return nil, fmt.Errorf("bad orderBy key %q", k.name)
		}
		keys = append(keys, k)
	}
	return func(a, b *file) int {
		for _, k := range keys {
			c := 0
			switch k.name {
			case "name", "name_natural":
				c = strings.Compare(a.name, b.name)
			case "modifiedTime":
				c = a.modified.Compare(b.modified)
			case "createdTime":
				c = a.created.Compare(b.created)
			case "folder":
				c = boolCmp(b.mime == MIMEFolder, a.mime == MIMEFolder)
			}
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return strings.Compare(a.id, b.id)
	}, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
