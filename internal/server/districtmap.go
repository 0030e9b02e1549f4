package server

import (
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// districtMap draws the candidate districts of a split ZIP.
func (s *Server) districtMap(zip string, ds []advocacy.DistrictResult) *templates.DistrictMap {
	return nil
}
