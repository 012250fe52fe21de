// The ruleset being served, swapped atomically while requests run, and the one way a ruleset is
// swapped in: at start, on SIGHUP and by POST /api/v1/ruleset alike (swap_ruleset).
#pragma once

#include "common/diagnostic.hpp"
#include "runtime/config/config.hpp"
#include "runtime/vm/image.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace switchyard::engine {

struct Ruleset {
    std::shared_ptr<const vm::Image> image;
    std::string version;  // version_of(image): what decision-log rows name
};

// Readers take the current ruleset and keep it as long as they use it; a swap never waits for
// them and never frees a ruleset still in use.
class RulesetHolder {
public:
    std::shared_ptr<const Ruleset> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void swap(std::shared_ptr<const Ruleset> next) {
        std::lock_guard lock(mutex_);
        current_ = std::move(next);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Ruleset> current_;
};

// The version of a loaded image, as 16 hex digits: a hash of what runs (its code, constants,
// settings, rule lines, zones and schema), not of where its sources were or of its tests.
std::string version_of(const vm::Image& image);

// Every integration's setting values against the settings the ruleset declares, each setting on
// its own so that every bad one is reported at once: a name the ruleset does not declare (E0810)
// a value that does not fit its type (E0811), or a person of a setting of people that no
// employee is (E0807), at the setting's key in config.sources. Empty
// when they all fit.
std::vector<common::Diagnostic> check_settings(const config::Config& config, const vm::Image& image);

// The ruleset's contact fields against [contact_fields] of the configuration: each one the rules
// read must be declared there, with the same type (`string?` in the rules is `string` there),
// else E0812 at its key (or at the table, when it is missing). Empty when they all fit.
std::vector<common::Diagnostic> check_contact_fields(const config::Config& config, const vm::Image& image);

// An integration's settings as case JSON (docs/cases.md: `settings`) for this ruleset: a setting
// of people (`person?`, `list<person>`) names employees in the configuration by id or Telegram
// username, and becomes their person records here. Throws CaseError for a person no employee
// is (check_settings reports it first, as E0807).
boost::json::object settings_json(const config::Config& config, const config::Integration& integration,
                                  const vm::Image& image);

// A ruleset on its way in: what vm::load and vm::load_module give, or, when there was nothing to
// give them (a file that cannot be read, rules that do not compile), the reason in its place.
using Loaded = std::variant<std::shared_ptr<const vm::Image>, std::string>;

// The ruleset was swapped in and serves from now on.
struct Swapped {
    std::shared_ptr<const Ruleset> ruleset;
};

// The ruleset was refused; the holder is as it was.
struct Refused {
    enum class Cause : std::uint8_t {
        not_loaded,       // no image: the loader refused it, or the caller's reason (Loaded)
        settings_misfit,  // the configuration's setting values or contact fields do not fit what it declares
    };
    Cause cause = Cause::not_loaded;
    // For people: the loader's (or caller's) reason; for a misfit, "the configuration's settings
    // do not fit it:" (or its contact fields, or both) and the diagnostics rendered, a line
    // break between.
    std::string reason;
    std::vector<common::Diagnostic> diagnostics;  // a misfit's, into the configuration's sources
    std::optional<std::string> kept_version;      // the version that keeps serving; none before the first swap
    std::optional<std::string> version;           // the refused ruleset's, when it loaded (a misfit)
};

using SwapResult = std::variant<Swapped, Refused>;

// The one way a ruleset is swapped in: a loaded image whose settings fit the configuration's
// values gets its version and goes into the holder; anything else is refused and changes nothing.
SwapResult swap_ruleset(RulesetHolder& holder, Loaded loaded, const config::Config& config);

}  // namespace switchyard::engine
