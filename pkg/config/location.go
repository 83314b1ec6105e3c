package config

import (
	"fmt"
	"time"

	_ "time/tzdata" // time zones must load on hosts without a zoneinfo database
)

// loadLocation loads an IANA time zone; "Local" is refused because it would
// make the day of a report depend on the host.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q (want an IANA name such as Europe/Moscow)", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (want an IANA name such as Europe/Moscow)", name)
	}
	return loc, nil
}

// location returns a time zone by name, from the cache filled by validation
// when possible.
func (c *Config) location(name string) (*time.Location, error) {
	if loc, ok := c.locations[name]; ok {
		return loc, nil
	}
	return loadLocation(name)
}

// CompanyLocation is the company time zone (UTC if it cannot be loaded, which
// a validated configuration rules out).
func (c *Config) CompanyLocation() *time.Location {
	loc, err := c.location(c.Company.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// EmployeeLocation is the time zone in which e's days are judged: e's own, or
// the company's when e has none or it cannot be loaded. It works for roster
// employees that are not in the file too.
func (c *Config) EmployeeLocation(e Employee) *time.Location {
	if e.Timezone == "" {
		return c.CompanyLocation()
	}
	loc, err := c.location(e.Timezone)
	if err != nil {
		return c.CompanyLocation()
	}
	return loc
}

// Lang is the language of messages and summary tabs: "ru" or "en".
func (c *Config) Lang() string {
	if c.Company.Language == "en" {
		return "en"
	}
	return "ru"
}
