// The ruleset being served, swapped atomically while requests run (SIGHUP, POST /api/v1/ruleset).
#pragma once

#include "runtime/vm/image.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace switchyard::engine {

struct Ruleset {
    std::shared_ptr<const vm::Image> image;
    std::string version;  // the source hash of the compiled ruleset, in hex: what decision-log rows name
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

// The version of a loaded image: its source hash as 16 hex digits.
std::string version_of(const vm::Image& image);

}  // namespace switchyard::engine
