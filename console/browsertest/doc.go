// Package browsertest drives the web console in headless Chromium (from
// Debian's chromium package) through the whole access flow. It holds tests
// only, so chromedp never reaches the product binary.
//
// The tests skip when /usr/bin/chromium (or $CASEBOOK_TEST_CHROMIUM) is
// missing, unless CASEBOOK_TEST_BROWSER_REQUIRED=1. With
// CASEBOOK_SCREENSHOTS=DIR they write screenshots of the main pages into DIR
// (docs/console/ holds the committed ones).
package browsertest
