// The reference evaluator of the differential tests: a direct walk over the checked syntax tree,
// written from docs/cases.md ("Evaluation, precisely") and sharing no code with the VM, so that
// the two can only agree on a case by both following the document.
#pragma once

#include "compiler/checker.hpp"
#include "compiler/workspace.hpp"
#include "stdlib/schema.hpp"

#include <boost/json.hpp>

namespace switchyard::reference {

// Evaluates `program` (checked without errors) on one case and returns the decisions object
// of docs/cases.md: {"ruleset": ..., "decisions": [...]}, without traces. Locations are
// `path:line` with the path as the workspace stores it. A case that does not fit the schema
// (unknown key, wrong type, bad unit or date) throws std::runtime_error naming the path.
boost::json::object evaluate(const compiler::Workspace& ws, const compiler::Program& program,
                             const stdlib::Schema& schema, const boost::json::value& case_json);

}  // namespace switchyard::reference
