#include "runtime/worker/channels.hpp"

#include <algorithm>

namespace switchyard::worker {

ChannelBook::ChannelBook(const config::Config& config, store::Store& store) : config_(config) {
    for (auto& row : store.saved_channels()) saved_[row.integration].push_back(std::move(row));
    std::lock_guard lock(mutex_);
    for (const auto& i : config_.integrations) rebuild(i.id);
}

void ChannelBook::rebuild(const std::string& id) {
    const auto* configured = config_.integration(id);
    if (!configured) return;
    auto saved = saved_.find(id);
    if (saved == saved_.end() || saved->second.empty()) {
        // Nothing changed through the API: the configuration's own, not a copy.
        current_[id] = std::shared_ptr<const config::Integration>(std::shared_ptr<const config::Integration>(), configured);
        return;
    }
    auto now = std::make_shared<config::Integration>(*configured);
    for (const auto& row : saved->second) {
        auto it = std::find_if(now->channels.begin(), now->channels.end(), [&](const auto& c) { return c.id == row.id; });
        config::Channel ch{row.id, row.number, row.transport, row.name, row.deleted};
        if (it == now->channels.end()) now->channels.push_back(std::move(ch));
        else *it = std::move(ch);
    }
    current_[id] = std::move(now);
}

std::shared_ptr<const config::Integration> ChannelBook::integration(std::string_view id) const {
    std::lock_guard lock(mutex_);
    auto it = current_.find(id);
    return it == current_.end() ? nullptr : it->second;
}

std::optional<std::string> ChannelBook::refusal_to_add(std::string_view id, const config::Channel& channel) const {
    auto now = integration(id);
    if (!now) return "no integration `" + std::string(id) + "`";
    if (now->service != config::Service::wazzup) return "only Wazzup integrations have channels";
    for (const auto& c : now->channels) {
        if (c.id == channel.id) return "the integration has a channel `" + c.id + "` already";
        if (!c.deleted && c.transport == channel.transport && c.number == channel.number)
            return "channel `" + c.id + "` has the number " + c.number + " already: delete it first (W7)";
    }
    return std::nullopt;
}

void ChannelBook::apply(const store::ChannelRow& row) {
    std::lock_guard lock(mutex_);
    auto& rows = saved_[row.integration];
    auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.id == row.id; });
    if (it == rows.end()) rows.push_back(row);
    else *it = row;
    rebuild(row.integration);
}

}  // namespace switchyard::worker
