package specdiff

import (
	"fmt"
	"io"
	"strconv"
)

// Change is one entry of oasdiff's JSON changelog.
type Change struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Comment   string `json:"comment"`
	Level     int    `json:"level"`
	Operation string `json:"operation"`
	Path      string `json:"path"`
	Section   string `json:"section"`
	// BaseSource and RevisionSource locate the change in the old and the new
	// spec; oasdiff gives either, both or neither.
	BaseSource     Source `json:"baseSource"`
	RevisionSource Source `json:"revisionSource"`
}

// Source is a position in a spec file.
type Source struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func (s Source) String() string {
	if s.Line == 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column)
}

// oasdiff's levels. Only LevelErr changes need acknowledging.
const (
	LevelInfo = 1
	LevelWarn = 2
	LevelErr  = 3
)

func levelName(l int) string {
	switch l {
	case LevelInfo:
		return "info"
	case LevelWarn:
		return "warning"
	case LevelErr:
		return "error"
	}
	return "level " + strconv.Itoa(l)
}

// String renders a change the way spec-diff lists breaking changes.
func (c Change) String() string {
	return fmt.Sprintf("%s %s [%s]", c.where(), c.Text, c.ID)
}

func (c Change) where() string {
	if c.Path == "" {
		return c.Section
	}
	return c.Operation + " " + c.Path
}

// writeChangelog writes the changes in the layout of oasdiff's text
// changelog, with line and column added to the location.
func writeChangelog(w io.Writer, changes []Change) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "No changes to report")
		return
	}
	count := map[int]int{}
	for _, c := range changes {
		count[c.Level]++
	}
	fmt.Fprintf(w, "%d changes: %d error, %d warning, %d info\n", len(changes), count[LevelErr], count[LevelWarn], count[LevelInfo])
	for _, c := range changes {
		fmt.Fprintf(w, "\n%s\t[%s]", levelName(c.Level), c.ID)
		switch {
		case c.RevisionSource.File != "":
			fmt.Fprintf(w, " at %s", c.RevisionSource)
		case c.BaseSource.File != "":
			fmt.Fprintf(w, " at %s", c.BaseSource)
		}
		in := c.where()
		if c.Path != "" {
			in = "API " + in
		}
		fmt.Fprintf(w, "\n\tin %s\n\t\t%s\n", in, c.Text)
		if c.Comment != "" {
			fmt.Fprintf(w, "\t\t%s\n", c.Comment)
		}
	}
}
