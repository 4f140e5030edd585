# Independent oracle for Peatio v2's canonical query, in real Ruby with ActiveSupport.
#
# stdin:  a JSON list of {"id": ..., "pairs": [[key, value], ...]}, the decoded
#         flat parameters of each request (query then form), signature left out.
# stdout: a JSON object id => {"activesupport": ..., "rails42": ...}.
#
# Steps, as Peatio's authenticator.rb runs them on Rails 4.2:
# 1. nest the flat pairs the way Rack's parse_nested_query does (Rack is not a
#    Debian dependency of ruby-activesupport, so `nest` below re-states its
#    rules for `k`, `k[]`, `k[sub]` and `k[][sub]`);
# 2. drop signature, format and route_info;
# 3. Hash#to_query, from the installed ActiveSupport;
# 4. URI.unescape, which Ruby 3 removed: emulated by decoding every %XX to its
#    byte and leaving "+" alone.
#
# "activesupport" is the installed ActiveSupport as it is. "rails42" is the same
# after Hash#to_query is given back its Rails 4.2 sort: 5.2.1 stopped sorting the
# pairs of a hash that sits inside an array (rails/rails#33341, #33606).
require "json"
require "active_support"
require "active_support/core_ext/object/to_query"

UNSIGNED = %w[signature format route_info].freeze

def contains_key?(hash, key)
  return false if key.include?("[]")
  node = hash
  key.split(/[\[\]]+/).reject(&:empty?).each do |part|
    return false unless node.is_a?(Hash) && node.key?(part)
    node = node[part]
  end
  true
end

def nest(params, name, value)
  match = /\A[\[\]]*([^\[\]]+)\]*/.match(name)
  return params if match.nil?
  key = match[1]
  rest = match.post_match
  if rest.empty?
    params[key] = value
  elsif rest == "[]"
    (params[key] ||= []) << value
  elsif (child = rest[/\A\[\]\[([^\[\]]+)\]\z/, 1] || rest[/\A\[\](.+)\z/, 1])
    list = (params[key] ||= [])
    if list.last.is_a?(Hash) && !contains_key?(list.last, child)
      nest(list.last, child, value)
    else
      list << nest({}, child, value)
    end
  else
    params[key] = nest(params[key] || {}, rest, value)
  end
  params
end

def uri_unescape(text)
  text.b.gsub(/%[0-9A-Fa-f]{2}/) { |escape| [escape[1, 2]].pack("H2") }.force_encoding(Encoding::UTF_8)
end

def canonical(pairs)
  params = pairs.each_with_object({}) { |(key, value), hash| nest(hash, key, value) }
  uri_unescape(params.reject { |key, _| UNSIGNED.include?(key) }.to_query)
end

cases = JSON.parse($stdin.read)
modern = cases.to_h { |item| [item["id"], canonical(item["pairs"])] }

class Hash
  def to_query(namespace = nil)
    collect do |key, value|
      value.to_query(namespace ? "#{namespace}[#{key}]" : key) unless (value.is_a?(Hash) || value.is_a?(Array)) && value.empty?
    end.compact.sort! * "&"
  end
end

result = cases.to_h { |item| [item["id"], {"activesupport" => modern[item["id"]], "rails42" => canonical(item["pairs"])}] }
$stdout.write(JSON.generate(result))
