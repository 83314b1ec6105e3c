package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// CheckFiles verifies the folders and files the configuration names, as far
// as this machine can tell: local.dir is a folder, and crm.builtin.facts,
// google.credentials_file and a template file can be read. It returns nil
// or an *Error whose problems are located like Load's. Load does not call
// it: a configuration loaded for `check --file`, or on a machine that
// mounts the folders later, is still usable; `config check` calls both.
func (c *Config) CheckFiles() error {
	v := &checker{m: c.meta}
	if v.m == nil {
		v.m = &meta{}
	}
	if c.Source.Kind == SourceLocal && c.Local.Dir != "" {
		switch info, err := os.Stat(c.Local.Dir); {
		case err != nil:
			v.add("local.dir", "%s", fileProblem("the report folder", c.Local.Dir, err))
		case !info.IsDir():
			v.add("local.dir", "the report folder %s is a file, not a folder", c.Local.Dir)
		}
	}
	if c.CRM.Adapter == AdapterBuiltin {
		v.readable("crm.builtin.facts", "the facts CSV", c.CRM.Builtin.Facts)
	}
	v.readable("google.credentials_file", "the service-account key", c.Google.CredentialsFile)
	if IsTemplatePath(c.Template) {
		v.readable("template", "the template file", c.Template)
		if t := fileTemplate(c.Template); t != nil {
			v.verifyFacts(c.Verify.Facts, t)
		}
	}
	if len(v.problems) == 0 {
		return nil
	}
	e := &Error{File: c.file, Problems: v.problems}
	e.sort()
	return e
}

// readable checks that path, when set, is a file this process can read.
// Only the path is named, never what the file holds.
func (v *checker) readable(setting, what, path string) {
	if path == "" {
		return
	}
	info, err := os.Stat(path)
	if err == nil && info.IsDir() {
		v.add(setting, "%s %s is a folder, not a file", what, path)
		return
	}
	if err == nil {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			_ = f.Close() // opened to learn it can be read, nothing read
		}
	}
	if err != nil {
		v.add(setting, "%s", fileProblem(what, path, err))
	}
}

// fileProblem says what is wrong with a path, without the wording of the
// operating system's error.
func fileProblem(what, path string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s %s does not exist", what, path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("%s %s cannot be read (permission denied)", what, path)
	}
	return fmt.Sprintf("%s %s cannot be read: %v", what, path, err)
}
