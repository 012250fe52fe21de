// W3-W7: the Wazzup channels each integration has now: the configuration's, with the channels
// added and deleted through the API (store::ChannelRow, kept in the tracker) laid over them.
// Thread-safe: the worker reads it row after row while the API changes it.
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/store/store.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::worker {

class ChannelBook {
public:
    // Reads the channels saved in the store.
    ChannelBook(const config::Config& config, store::Store& store);

    // The integration as it is now (its channels included); null when the configuration has
    // none with this id. Kept alive by the pointer, however the book changes meanwhile.
    std::shared_ptr<const config::Integration> integration(std::string_view id) const;

    // Why `channel` cannot be added to the integration, or nothing: an id the integration has
    // already, a number another live channel of its messenger has (W7: one per number).
    std::optional<std::string> refusal_to_add(std::string_view integration, const config::Channel& channel) const;
    // After the row is committed: the book takes it (an added channel, or one marked deleted).
    void apply(const store::ChannelRow& row);

private:
    void rebuild(const std::string& integration);  // with mutex_ held

    const config::Config& config_;
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<store::ChannelRow>, std::less<>> saved_;  // by integration, in order
    std::map<std::string, std::shared_ptr<const config::Integration>, std::less<>> current_;
};

}  // namespace switchyard::worker
