package google

import (
	"context"
	"fmt"

	"google.golang.org/api/drive/v3"
)

// ScopeDrive is Drive's full scope, asked for by the Doc-comments client
// alone (feedback.doc_comments). Drive's reference lists two scopes for
// comments.create, comments.update and replies.create: drive and
// drive.file; drive.file only reaches files the app created or that a user
// opened with it (the Picker), never an employee's own report Doc shared
// with the service account, so drive is the narrowest scope that works.
const ScopeDrive = drive.DriveScope

// NewDriveComments returns a read-write Drive client with the drive scope,
// for keeping a comment on each invalid report's Doc. Build it only when
// that feature is on: every other client keeps a read-only scope.
func NewDriveComments(ctx context.Context, opts Options) (*drive.Service, error) {
	co, err := clientOptions(ctx, opts, APIDrive, "/drive/v3/", ScopeDrive, false)
	if err != nil {
		return nil, err
	}
	svc, err := drive.NewService(ctx, co...)
	if err != nil {
		return nil, fmt.Errorf("google: drive comments client: %w", err)
	}
	return svc, nil
}
