#include "actors/sim/sim_html.hpp"

#include <algorithm>
#include <array>
#include <functional>

namespace datdot {
namespace {

constexpr int plot_width = 720;
constexpr int plot_height = 220;
constexpr int margin = 40;

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

struct series {
  std::string name;
  std::string colour;
  std::function<std::uint64_t(const sim_slot_sample&)> value;
};

struct marker {
  std::uint64_t slot;
  std::string label;
};

// One plot: slots along x, the series' values along y from 0, each marker a
// dashed vertical line at its slot.
std::string svg_plot(const std::string& title, const std::vector<sim_slot_sample>& samples,
                     const std::vector<series>& lines, const std::vector<marker>& markers) {
  std::uint64_t y_max = 1;
  for (const auto& s : samples)
    for (const auto& l : lines) y_max = std::max(y_max, l.value(s));
  const std::uint64_t x_max = samples.empty() ? 1 : std::max<std::uint64_t>(samples.back().slot, 1);
  const int w = plot_width - 2 * margin;
  const int h = plot_height - 2 * margin;
  auto x = [&](std::uint64_t slot) { return margin + static_cast<int>(slot * w / x_max); };
  auto y = [&](std::uint64_t v) { return margin + h - static_cast<int>(v * h / y_max); };
  std::string out = "<h2>" + escaped(title) + "</h2>\n<svg width=\"" + std::to_string(plot_width) + "\" height=\"" +
                    std::to_string(plot_height) + "\" role=\"img\">\n";
  out += "<line x1=\"" + std::to_string(margin) + "\" y1=\"" + std::to_string(margin + h) + "\" x2=\"" +
         std::to_string(margin + w) + "\" y2=\"" + std::to_string(margin + h) + "\" stroke=\"#333\"/>\n";
  out += "<line x1=\"" + std::to_string(margin) + "\" y1=\"" + std::to_string(margin) + "\" x2=\"" +
         std::to_string(margin) + "\" y2=\"" + std::to_string(margin + h) + "\" stroke=\"#333\"/>\n";
  out += "<text x=\"4\" y=\"" + std::to_string(margin) + "\">" + std::to_string(y_max) + "</text>\n";
  out += "<text x=\"4\" y=\"" + std::to_string(margin + h) + "\">0</text>\n";
  out += "<text x=\"" + std::to_string(margin + w - 60) + "\" y=\"" + std::to_string(plot_height - 8) + "\">slot " +
         std::to_string(x_max) + "</text>\n";
  for (const auto& m : markers)
    out += "<line x1=\"" + std::to_string(x(m.slot)) + "\" y1=\"" + std::to_string(margin) + "\" x2=\"" +
           std::to_string(x(m.slot)) + "\" y2=\"" + std::to_string(margin + h) +
           "\" stroke=\"#c00\" stroke-dasharray=\"4 3\"><title>" + escaped(m.label) + "</title></line>\n";
  const int legend_step = std::min(230, w / static_cast<int>(std::max<std::size_t>(lines.size(), 1)));
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const auto& l = lines[k];
    out += "<polyline fill=\"none\" stroke=\"" + l.colour + "\" stroke-width=\"2\" points=\"";
    for (const auto& s : samples) out += std::to_string(x(s.slot)) + "," + std::to_string(y(l.value(s))) + " ";
    out += "\"/>\n<text x=\"" + std::to_string(margin + 10 + legend_step * static_cast<int>(k)) + "\" y=\"16\" fill=\"" +
           l.colour + "\">" + escaped(l.name) + "</text>\n";
  }
  return out + "</svg>\n";
}

constexpr std::array<const char*, 8> palette{"#06c", "#c00", "#6a0", "#c60", "#909", "#099", "#999", "#630"};

// One line per behaviour of the run (honest first), of what `value` reads from its tally.
std::vector<series> per_behaviour(const sim_report& r, std::function<std::uint64_t(const behaviour_tally&)> value) {
  std::vector<std::string> names{"honest"};
  for (const auto& [name, tally] : r.hosting.by_behaviour)
    if (name != "honest") names.push_back(name);
  std::vector<series> out;
  for (std::size_t k = 0; k < names.size(); ++k)
    out.push_back(series{names[k], palette[k % palette.size()], [name = names[k], value](const sim_slot_sample& s) {
                           const auto it = s.by_behaviour.find(name);
                           return it == s.by_behaviour.end() ? std::uint64_t{0} : value(it->second);
                         }});
  return out;
}

std::string behaviour_table(const sim_report& r) {
  std::string out =
      "<table>\n<tr><th>behaviour</th><th>nodes</th><th>challenges passed</th><th>challenges failed</th>"
      "<th>ratio paid (units)</th><th>per node</th></tr>\n";
  for (const auto& [name, t] : r.hosting.by_behaviour)
    out += "<tr><td>" + escaped(name) + "</td><td>" + std::to_string(t.nodes) + "</td><td>" +
           std::to_string(t.challenges_passed) + "</td><td>" + std::to_string(t.challenges_failed) + "</td><td>" +
           std::to_string(t.paid_units) + "</td><td>" + std::to_string(t.paid_units / std::max<std::uint64_t>(t.nodes, 1)) +
           "</td></tr>\n";
  return out + "</table>\n";
}

std::string adversaries_table(const sim_report& r) {
  if (r.adversaries.empty()) return "<p>No adversaries.</p>\n";
  std::string out =
      "<table>\n<tr><th>node</th><th>kind</th><th>caught at slot</th><th>offences</th><th>banned by</th>"
      "<th>bad frames sent</th><th>replicas dropped</th><th>challenges failed</th></tr>\n";
  for (const auto& a : r.adversaries)
    out += "<tr><td>" + std::to_string(a.who.node) + "</td><td>" + std::string{to_string(a.who.kind)} + "</td><td>" +
           (a.caught_at_slot ? std::to_string(*a.caught_at_slot) : std::string{"not caught"}) + "</td><td>" +
           std::to_string(a.offences) + "</td><td>" + std::to_string(a.banned_by) + "</td><td>" +
           std::to_string(a.frames_sent) + "</td><td>" + std::to_string(a.replicas_dropped) + "</td><td>" +
           std::to_string(a.challenges_failed) + "</td></tr>\n";
  return out + "</table>\n<p>Honest nodes reported or banned: " + std::to_string(r.false_accusations) + "</p>\n";
}

}  // namespace

std::string report_html(const sim_report& r, const std::vector<sim_slot_sample>& samples, const std::string& replay) {
  std::vector<marker> catches;
  for (const auto& a : r.adversaries)
    if (a.caught_at_slot)
      catches.push_back(marker{*a.caught_at_slot, std::string{to_string(a.who.kind)} + " node " +
                                                      std::to_string(a.who.node) + " caught"});
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>datdot sim: " + escaped(r.scenario.name) +
      "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border:1px solid #999;padding:2px 8px}pre{background:#f4f4f4;padding:1em}</style></head><body>\n";
  out += "<h1>datdot sim: " + escaped(r.scenario.name) + "</h1>\n<p>" + escaped(r.scenario.description) + "</p>\n";
  out += "<pre>" + escaped(report_text(r, replay)) +
         "</pre>\n";
  out += svg_plot("Finalized height",
                  samples,
                  {{"finalized (highest node)", "#06c", [](const auto& s) { return s.finalized_height_max; }},
                   {"finalized (lowest node up)", "#6a0", [](const auto& s) { return s.finalized_height_min; }},
                   {"best (highest node)", "#999", [](const auto& s) { return s.best_height_max; }}},
                  catches);
  out += svg_plot("Finality lag (blocks imported but not final)", samples,
                  {{"finality lag, blocks", "#c60", [](const auto& s) { return s.finality_lag_blocks; }}}, catches);
  if (r.scenario.hosting.role_nodes() > 0) {
    out += svg_plot("Storage challenges passed, by behaviour (so far)", samples,
                    per_behaviour(r, [](const behaviour_tally& t) { return t.challenges_passed; }), catches);
    out += svg_plot("Storage challenges failed, by behaviour (so far)", samples,
                    per_behaviour(r, [](const behaviour_tally& t) { return t.challenges_failed; }), catches);
    out += svg_plot("Ratio paid for service per node, by behaviour (units, so far)", samples,
                    per_behaviour(r, [](const behaviour_tally& t) { return t.paid_units / std::max<std::uint64_t>(t.nodes, 1); }),
                    catches);
    out += "<h2>Service by behaviour</h2>\n" + behaviour_table(r);
  }
  out += "<h2>Adversaries</h2>\n" + adversaries_table(r);
  return out + "<p>Dashed red lines: the slots adversaries were caught at.</p>\n</body></html>\n";
}

}  // namespace datdot
