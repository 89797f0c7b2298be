# Reads CVSS vectors, one per line, on stdin; prints "VECTOR SCORE" with the
# base score that Debian's ruby-cvss-suite (an independent implementation of
# the FIRST specifications) computes. The inventory's CVSS tests compare
# fwseal's own scores with these.
require "cvss_suite"
STDIN.each_line do |line|
  vector = line.strip
  next if vector.empty?
  puts "#{vector} #{format('%.1f', CvssSuite.new(vector).base_score)}"
end
