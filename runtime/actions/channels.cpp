// W3-W7: a Wazzup integration's channels, listed, added and deleted through the API. A channel
// added here is one the configuration does not list; deleting one (the file's or the API's)
// keeps its tasks: a new channel with the same number takes them over, one with another number
// leaves them closed to sending (the shipped rules refuse with `channel_deleted`).
#include "runtime/actions/desk_impl.hpp"

#include "common/clock.hpp"

namespace switchyard::actions {

namespace {

json::object shown(const config::Channel& c) {
    return {{"id", c.id}, {"number", c.number}, {"transport", c.transport}, {"name", c.name}, {"deleted", c.deleted}};
}

std::shared_ptr<const config::Integration> wazzup(Desk::Impl& d, std::string_view id) {
    auto integration = d.channels.integration(id);
    if (!integration) refuse(404, "no integration `" + std::string(id) + "`");
    if (integration->service != config::Service::wazzup) refuse(422, "only Wazzup integrations have channels");
    return integration;
}

}  // namespace

Answer Desk::channels(std::string_view integration_id) {
    return guarded([&] {
        json::array out;
        for (const auto& c : wazzup(*impl_, integration_id)->channels) out.push_back(shown(c));
        return Answer{200, json::object{{"channels", std::move(out)}}};
    });
}

Answer Desk::add_channel(std::string_view integration_id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        auto& d = *impl_;
        d.actor(in);
        wazzup(d, integration_id);
        config::Channel ch;
        ch.id = in.required_text("id");
        ch.transport = in.required_text("transport");
        if (ch.transport != "whatsapp" && ch.transport != "instagram")
            refuse(422, "transport: expected whatsapp or instagram, found `" + ch.transport + "`", "transport");
        auto number = config::channel_number(ch.transport, in.required_text("number"));
        if (const auto* bad = std::get_if<config::BadValue>(&number)) refuse(422, "number: " + bad->message + ": " + bad->help, "number");
        ch.number = std::get<std::string>(number);
        ch.name = in.text("name").value_or(ch.number);
        std::lock_guard lock(d.deciding_mutex);  // one change of the book at a time
        if (auto why = d.channels.refusal_to_add(integration_id, ch)) refuse(409, *why);
        store::ChannelRow row{std::string(integration_id), ch.id, ch.number, ch.transport, ch.name, false, common::wall_clock_ms()};
        auto work = d.store.begin_work();
        work.save_channel(row);
        work.commit();
        d.channels.apply(row);
        return Answer{201, shown(ch)};
    });
}

Answer Desk::delete_channel(std::string_view integration_id, std::string_view channel_id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        auto& d = *impl_;
        d.actor(in);
        std::lock_guard lock(d.deciding_mutex);
        auto integration = wazzup(d, integration_id);
        auto it = std::find_if(integration->channels.begin(), integration->channels.end(),
                               [&](const auto& c) { return c.id == channel_id; });
        if (it == integration->channels.end()) refuse(404, "no channel `" + std::string(channel_id) + "`");
        if (it->deleted) refuse(409, "channel `" + it->id + "` is deleted already");
        store::ChannelRow row{std::string(integration_id), it->id, it->number, it->transport, it->name, true, common::wall_clock_ms()};
        auto work = d.store.begin_work();
        work.save_channel(row);
        work.commit();
        d.channels.apply(row);
        auto c = *it;
        c.deleted = true;
        return Answer{200, shown(c)};
    });
}

}  // namespace switchyard::actions
