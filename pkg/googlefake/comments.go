package googlefake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/drive/v3"
)

// Drive v3 comments, as the Doc-comments feedback uses them:
//
//	GET    /drive/v3/files/{fileId}/comments                       comments.list
//	POST   /drive/v3/files/{fileId}/comments                       comments.create
//	GET    /drive/v3/files/{fileId}/comments/{commentId}           comments.get
//	PATCH  /drive/v3/files/{fileId}/comments/{commentId}           comments.update
//	DELETE /drive/v3/files/{fileId}/comments/{commentId}           comments.delete
//	POST   /drive/v3/files/{fileId}/comments/{commentId}/replies   replies.create
//
// As on Drive, every method but delete requires the fields parameter (400
// "required" without it); a reply with action "resolve" or "reopen" sets the
// comment's resolved flag, and needs no content (any other reply does);
// a deleted comment is listed only with includeDeleted, without its content,
// and cannot be updated or replied to (404). Comments made through the API
// are by the caller (author.me = true); PutComment adds one by someone else.
// Comment requests are Drive requests: they spend the Drive quota and take
// the faults Inject queues for "drive"; InjectComments targets comment
// writes on one file.

// commentAuthor is who the API caller is: the service account.
var commentAuthor = drive.User{Kind: "drive#user", DisplayName: "dayreport", EmailAddress: "dayreport@fake.iam.gserviceaccount.com",
	PermissionId: "00000000000000000001", Me: true}

// comment is a Drive comment with its replies.
type comment struct {
	id       string
	author   drive.User
	content  string
	created  time.Time
	modified time.Time
	resolved bool
	deleted  bool
	replies  []*drive.Reply
}

func (c *comment) api() *drive.Comment {
	a := c.author
	out := &drive.Comment{Kind: "drive#comment", Id: c.id, Author: &a, Content: c.content, HtmlContent: htmlOf(c.content),
		CreatedTime: c.created.Format(driveTime), ModifiedTime: c.modified.Format(driveTime),
		Resolved: c.resolved, Deleted: c.deleted, Replies: []*drive.Reply{}}
	if c.deleted {
		out.Content, out.HtmlContent = "", ""
	}
	for _, r := range c.replies {
		cp := *r
		out.Replies = append(out.Replies, &cp)
	}
	return out
}

func htmlOf(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}

// PutComment adds a comment by someone else (author.me = false) to a file
// and returns its id.
func (s *Server) PutComment(fileID, authorName, content string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	if !ok {
		panic("googlefake: PutComment: no file " + fileID)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	c := &comment{id: "AAAA" + strconv.FormatInt(s.newID(), 36), content: content, created: now, modified: now,
		author: drive.User{Kind: "drive#user", DisplayName: authorName, PermissionId: "p" + strconv.FormatInt(s.newID(), 10)}}
	f.comments = append(f.comments, c)
	return c.id
}

// Comments returns every comment on a file — resolved and deleted ones too,
// deleted ones with their content — as comments.get with fields=* would, in
// creation order.
func (s *Server) Comments(fileID string) []*drive.Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	if !ok {
		return nil
	}
	out := make([]*drive.Comment, 0, len(f.comments))
	for _, c := range f.comments {
		a := c.api()
		a.Content = c.content
		out = append(out, a)
	}
	return out
}

// InjectComments makes the next times comment writes (create, update,
// delete, reply) on file fileID fail with f; reads are not affected.
func (s *Server) InjectComments(fileID string, f Fault, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fl, ok := s.files[fileID]
	if !ok {
		panic("googlefake: InjectComments: no file " + fileID)
	}
	for range times {
		fl.commentFaults = append(fl.commentFaults, f)
	}
}

func driveNotFound(w http.ResponseWriter, what, id, location string) {
	writeDriveError(w, http.StatusNotFound, errorItem{Message: what + " not found: " + id + ".", Domain: "global", Reason: "notFound",
		Location: location, LocationType: "parameter"})
}

func driveRequired(w http.ResponseWriter, location, message string) {
	writeDriveError(w, http.StatusBadRequest, errorItem{Message: message, Domain: "global", Reason: "required",
		Location: location, LocationType: "parameter"})
}

// serveComments routes /drive/v3/files/{fileId}/comments[/{commentId}[/replies]].
func (s *Server) serveComments(w http.ResponseWriter, r *http.Request, segs []string) {
	fileID := segs[3]
	var commentID string
	if len(segs) >= 6 {
		commentID = segs[5]
	}
	replies := len(segs) == 7 && segs[6] == "replies"
	route := ""
	switch {
	case len(segs) == 5 && r.Method == http.MethodGet:
		route = "list"
	case len(segs) == 5 && r.Method == http.MethodPost:
		route = "create"
	case len(segs) == 6 && r.Method == http.MethodGet:
		route = "get"
	case len(segs) == 6 && r.Method == http.MethodPatch:
		route = "update"
	case len(segs) == 6 && r.Method == http.MethodDelete:
		route = "delete"
	case replies && r.Method == http.MethodPost:
		route = "reply"
	default:
		writeDriveError(w, http.StatusNotFound, errorItem{Message: "googlefake: this comments method is not served", Domain: "global", Reason: "notFound"})
		return
	}
	q := r.URL.Query()
	fields := q.Get("fields")
	if route != "delete" && fields == "" {
		driveRequired(w, "fields", "The 'fields' parameter is required for this method.")
		return
	}
	mask, err := parseFields(fields)
	if err != nil {
		invalidDriveParam(w, "fields", "Invalid field selection "+fields)
		return
	}
	var body map[string]any
	if route == "create" || route == "update" || route == "reply" {
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || json.Unmarshal(b, &body) != nil {
			writeDriveError(w, http.StatusBadRequest, errorItem{Message: "Invalid JSON payload.", Domain: "global", Reason: "parseError"})
			return
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	if !ok {
		driveNotFound(w, "File", fileID, "fileId")
		return
	}
	if route != "list" && route != "get" && len(f.commentFaults) > 0 {
		fault := f.commentFaults[0]
		f.commentFaults = f.commentFaults[1:]
		s.mu.Unlock()
		s.fail(w, r, APIDrive, fault)
		s.mu.Lock()
		return
	}
	var c *comment
	if commentID != "" {
		for _, x := range f.comments {
			if x.id == commentID {
				c = x
			}
		}
		if c == nil || c.deleted && route != "get" {
			driveNotFound(w, "Comment", commentID, "commentId")
			return
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var out any
	switch route {
	case "list":
		var ok bool
		if out, ok = listComments(w, q, f.comments); !ok {
			return
		}
	case "get":
		out = c.api()
	case "create":
		content, _ := body["content"].(string)
		if strings.TrimSpace(content) == "" {
			driveRequired(w, "content", "A comment requires content.")
			return
		}
		c = &comment{id: "AAAA" + strconv.FormatInt(s.newID(), 36), author: commentAuthor, content: content, created: now, modified: now}
		f.comments = append(f.comments, c)
		out = c.api()
	case "update":
		if c.author.PermissionId != commentAuthor.PermissionId {
			writeDriveError(w, http.StatusForbidden, errorItem{Message: "The user does not have sufficient permissions for this comment.",
				Domain: "global", Reason: "insufficientPermissions"})
			return
		}
		content, _ := body["content"].(string)
		if strings.TrimSpace(content) == "" {
			driveRequired(w, "content", "A comment requires content.")
			return
		}
		c.content, c.modified = content, now
		out = c.api()
	case "delete":
		if c.author.PermissionId != commentAuthor.PermissionId {
			writeDriveError(w, http.StatusForbidden, errorItem{Message: "The user does not have sufficient permissions for this comment.",
				Domain: "global", Reason: "insufficientPermissions"})
			return
		}
		c.deleted, c.modified = true, now
		w.WriteHeader(http.StatusNoContent)
		return
	case "reply":
		content, _ := body["content"].(string)
		action, _ := body["action"].(string)
		switch action {
		case "":
			if strings.TrimSpace(content) == "" {
				driveRequired(w, "content", "A reply requires content when it has no action.")
				return
			}
		case "resolve":
			c.resolved = true
		case "reopen":
			c.resolved = false
		default:
			invalidDriveParam(w, "action", "Invalid value for action: "+action)
			return
		}
		a := commentAuthor
		rep := &drive.Reply{Kind: "drive#reply", Id: "AAAB" + strconv.FormatInt(s.newID(), 36), Author: &a, Action: action,
			Content: content, HtmlContent: htmlOf(content), CreatedTime: now.Format(driveTime), ModifiedTime: now.Format(driveTime)}
		c.replies = append(c.replies, rep)
		c.modified = now
		out = rep
	}
	j, err := toJSONValue(out)
	if err != nil {
		writeDriveError(w, http.StatusInternalServerError, errorItem{Message: err.Error(), Domain: "global", Reason: "internalError"})
		return
	}
	writeJSON(w, http.StatusOK, mask.apply(j))
}

// listComments pages through a file's comments in creation order
// (pageSize 1–100, default 20); deleted ones only with includeDeleted.
func listComments(w http.ResponseWriter, q map[string][]string, all []*comment) (any, bool) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	pageSize := 20
	if v := get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			invalidDriveParam(w, "pageSize", fmt.Sprintf("Invalid value '%s'. Values must be within the range: [1, 100]", v))
			return nil, false
		}
		pageSize = n
	}
	withDeleted, err := parseBoolParam(get("includeDeleted"))
	if err != nil {
		invalidDriveParam(w, "includeDeleted", "Invalid value '"+get("includeDeleted")+"'")
		return nil, false
	}
	offset := 0
	if tok := get("pageToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "comments:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "comments:") || n < 0 {
			invalidDriveParam(w, "pageToken", "Invalid Value")
			return nil, false
		}
		offset = n
	}
	var hits []*comment
	for _, c := range all {
		if withDeleted || !c.deleted {
			hits = append(hits, c)
		}
	}
	list := &drive.CommentList{Kind: "drive#commentList", Comments: []*drive.Comment{}}
	for i := offset; i < len(hits) && i < offset+pageSize; i++ {
		list.Comments = append(list.Comments, hits[i].api())
	}
	if offset+pageSize < len(hits) {
		list.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte("comments:" + strconv.Itoa(offset+pageSize)))
	}
	return list, true
}
