// English, the reference catalogue: it defines the keys every other language must translate, and
// the placeholders each message takes ({name}; {count, plural, …} in ICU MessageFormat). Each
// message keeps the wording the editions had before there were catalogues.

export const en = {
  // Every edition (email, text, web, PDF)
  'edition.number': 'No. {number}',
  'edition.contents': 'In this issue',
  'edition.contentsOfDocument': 'Contents',
  'edition.nextIssue': 'On the next issue',
  'edition.byline': 'By {byline}',
  'edition.publishedBy': '{publication} is published by {publisher}',
  'edition.phone': 'Tel: {phone}',
  'edition.fax': 'Fax: {fax}',
  'edition.webEdition': 'Web edition',
  'edition.pdfEdition': 'PDF edition',
  'edition.question': 'Q:',
  'edition.picture': '[Picture: {alt}]',
  'edition.event': 'Event',
  'edition.publication': 'Publication',
  'edition.chair': 'Chair',
  'edition.moderator': 'Moderator',
  'edition.speakers': '{count, plural, one {Speaker} other {Speakers}}',
  'edition.noteRef': 'Note {number}',
  'edition.backToNote': 'Back to the text of note {number}',
  'edition.titleNote': 'Note on the title',
  'edition.backToTitle': 'Back to the title',
  // The email edition (HTML and text)
  'email.readOnWeb': 'Read this issue on the web',
  'email.subscribe':
    'To subscribe please send an email to {address}. Contributions are welcome at the same address.',
  'email.receivedAt': 'You receive this bulletin at {address}',
  'email.unsubscribe': 'Unsubscribe',
  'email.preferences': 'Your preferences',
  'text.webEdition': 'Web edition: {url}',
  'text.pdfEdition': 'PDF edition: {url}',
  'text.subscribe':
    'To subscribe please send an email to {address} with the word "subscribe". Contributions are welcome at the same address.',
  'text.receivedAt': 'You receive this bulletin at:',
  'text.unsubscribe': 'To unsubscribe:',
  // The web edition
  'web.skip': 'Skip to the content',
  'web.downloadPdf': 'Download the PDF edition',
  'web.otherIssues': 'Other issues',
  'web.previous': '← Previous: {issue}',
  'web.next': 'Next: {issue} →',
  'web.allIssues': 'All issues',
  'web.allPublications': 'All publications',
  'web.site': 'Site',
  'web.subscribe': 'Subscribe',
  'web.atomFeed': 'Atom feed',
  'web.browse': 'Find an article: browse every issue',
  'web.search': 'Search',
  'web.subscribeBy':
    'To subscribe please send an email to {address}, or {web}. Contributions are welcome at the same address.',
  'web.subscribeOnWeb': 'subscribe on the web',
  // The PDF edition
  'pdf.number': 'N° {number}',
  'pdf.page': 'Page {page} of {total}',
  'pdf.subscribe': 'To subscribe please send an email to {address} with “subscribe” as the subject.',
  'pdf.onTheWeb': 'This issue on the web: {url}',
  // The list's automatic mail (templates/list): the text part's lines break where the message does
  'list.footer': 'send "help" to {address} for the list commands.',
  'list.orReplyText': 'or simply reply to this email.',
  'list.openLinkText': 'To confirm, open this link:',
  'list.latestOnline': 'The latest issue is online:',
  'list.confirmSubscribe.subject': 'Confirm your subscription to {list}',
  'list.confirmSubscribe.asked': 'Someone, probably you, asked to subscribe {address} to {list}.',
  'list.confirmSubscribe.button': 'Confirm my subscription',
  'list.confirmSubscribe.ignore':
    'Or simply reply to this email. If you did not ask for this, ignore it: nothing happens without your confirmation, and this link expires in 7 days.',
  'list.confirmSubscribe.ignoreText':
    'If you did not ask for this, ignore it: nothing happens without your\nconfirmation, and the link expires in 7 days.',
  'list.confirmUnsubscribe.subject': 'Confirm that you want to leave {list}',
  'list.confirmUnsubscribe.asked': 'Someone, probably you, asked to unsubscribe {address} from {list}.',
  'list.confirmUnsubscribe.button': 'Unsubscribe me',
  'list.confirmUnsubscribe.ignore':
    'Or simply reply to this email. If you did not ask for this, ignore it and you stay subscribed.',
  'list.confirmUnsubscribe.ignoreText':
    'or simply reply to this email. If you did not ask for this, ignore it\nand you stay subscribed.',
  'list.confirmChange.subject': 'Confirm the change to your subscription to {list}',
  'list.confirmChange.asked':
    'Someone, probably you, asked to change the name on the subscription of {address} to {list}, to: {name}',
  'list.confirmChange.askedText':
    'Someone, probably you, asked to change the name on the subscription of\n{address} to {list}, to: {name}',
  'list.confirmChange.button': 'Confirm the change',
  'list.confirmChange.askedOther':
    'Someone, probably you, asked to change the subscription of {address} to {list}: {change}',
  'list.confirmChange.askedOtherText':
    'Someone, probably you, asked to change the subscription of\n{address} to {list}: {change}',
  'list.confirmChange.reply': 'Or simply reply to this message.',
  'list.confirmChange.openLinkText': 'To confirm the change, open this link and press the button:',
  'list.confirmChange.ignore':
    'If you did not ask for this, ignore it: nothing changes without your confirmation, and this link expires in 7 days.',
  'list.confirmChange.ignoreText':
    'If you did not ask for this, ignore it: nothing changes without your\nconfirmation, and the link expires in 7 days.',
  'list.welcome.subject': 'Welcome to {list}',
  'list.welcome.now': 'Welcome! {address} now receives {list}.',
  'list.welcome.readOnWeb': 'Read it on the web',
  'list.welcome.downloadPdf': 'Download the PDF',
  'list.welcome.webText': 'Web: {url}',
  'list.welcome.pdfText': 'PDF: {url}',
  'list.welcome.contribute': 'Contributions are welcome at {address}.',
  'list.welcome.preferences':
    'To choose your language, plain text or a short notice, or the PDF attached: {link}.',
  'list.welcome.preferencesLink': 'your preferences',
  'list.welcome.preferencesText':
    'To choose your language, plain text or a short notice, or the PDF\nattached:',
  'list.welcome.leave': 'To leave the list at any time, use the link at the bottom of every issue or {link}.',
  'list.welcome.thisOne': 'this one',
  'list.welcome.leaveText':
    'To leave the list at any time, use the link at the bottom of every issue\nor this one:',
  'list.goodbye.subject': 'You will not receive {list} any more',
  'list.goodbye.done': '{address} will not receive {list} any more.',
  'list.goodbye.again': 'Changed your mind? Send "subscribe" to {address}.',
  'list.goodbye.againText': 'Changed your mind? Send an email to {address}.',
  'list.help.subject': 'How to use {list}',
  'list.help.addresses': 'You can write to these addresses of {list}:',
  'list.acknowledgement.subject':
    '{titled, select, yes {Received: {subject}} other {Received: your message to {list}}}',
  'list.acknowledgement.thanks':
    'Thank you for writing to {list}. {titled, select, yes {Your message "{subject}"} other {Your message}} has reached the editors.',
  'list.acknowledgement.thanksText':
    'Thank you for writing to {list}. {titled, select, yes {Your message "{subject}"} other {Your message}}\nhas reached the editors.',
  'list.acknowledgement.automatic': 'This is an automatic reply; the editors will be in touch if needed.',
  // The readers' pages (src/web/list-pages.ts, templates/list/page.hbs)
  'page.invalid.title': 'This link has expired or is not valid',
  'page.invalid.text':
    'Links in our emails expire after a while. Please start again from a recent email, or write to the list address.',
  'page.malformed.title': 'That request was not understood',
  'page.malformed.text': 'Please press the button on the page again, or start again from a recent email.',
  'page.subscribe.title': 'Subscribe to {list}',
  'page.subscribe.text':
    '{list} is sent by email. We will send a message to the address you give: it is only subscribed once you confirm from there.',
  'page.subscribe.button': 'Subscribe',
  'page.subscribe.email': 'Email address',
  'page.subscribe.name': 'Name (optional)',
  'page.subscribe.language': 'Language',
  'page.subscribe.trap': 'Leave empty',
  'page.notAnAddress.title': 'That is not an email address',
  'page.notAnAddress.text': 'Please check the address and try again.',
  'page.tooMany.title': 'Too many requests',
  'page.tooMany.text': 'Please try again in an hour.',
  'page.checkInbox.title': 'Please check your inbox',
  'page.checkInbox.text':
    'If {address} can receive mail, a message is on its way to it. Open it and confirm to receive {list}.',
  'page.confirm.text': 'Press the button to confirm that {address} wants to receive {list}.',
  'page.confirm.button': 'Confirm my subscription',
  'page.subscribed.title': 'You are subscribed',
  'page.subscribed.text': '{address} will receive {list}. A welcome email is on its way.',
  'page.change.title': 'Change your subscription to {list}',
  'page.change.text': 'Press the button to confirm that {address} is to be addressed as "{name}".',
  'page.change.button': 'Confirm the change',
  'page.changed.title': 'Your subscription is changed',
  'page.changed.text': '{address} is now addressed as "{name}".',
  'page.unsubscribe.title': 'Unsubscribe from {list}',
  'page.unsubscribe.text': 'Press the button and {address} will not receive {list} any more.',
  'page.unsubscribe.button': 'Unsubscribe',
  'page.unsubscribed.title': 'You are unsubscribed',
  'page.unsubscribed.text': '{address} will not receive {list} any more.',
  // The public site (templates/site, src/site/pages.ts)
  'site.publications': 'Publications',
  'site.ourPublications': 'Our publications',
  'site.homeDescription': 'Every issue of {names}: read on the web, download the PDF, subscribe.',
  'site.latest': 'Latest issue: {issue}',
  'site.noIssue': 'No issue has been published yet.',
  'site.latestPdf': 'Latest issue as PDF ({size})',
  'site.archiveTitle': '{name}: all issues',
  'site.archiveTitlePaged': '{name}: all issues (page {page})',
  'site.archiveDescription': 'Every issue of {name}, newest first, on the web and as PDF.',
  'site.archiveSummary': '{count, plural, one {# issue} other {# issues}}, newest first.',
  'site.archiveSummaryPaged':
    '{count, plural, one {# issue} other {# issues}}, newest first: page {page} of {pages}.',
  'site.readOnWeb': 'Read on the web',
  'site.downloadPdf': 'Download the PDF ({size})',
  'site.archivePages': 'Pages of the archive',
  'site.newer': '← Newer issues',
  'site.page': 'Page {page} of {pages}',
  'site.older': 'Older issues →',
  'site.noIssueOf': 'No issue of {name} has been published yet.',
  'site.subscribeByMail': 'To subscribe, send an email to {address}.',
  'site.subscribeByMailOrWeb': 'To subscribe, send an email to {address}, or {web}.',
  'site.everyPublication': 'every publication',
  'site.searchIn': 'Search {scope}',
  'site.searchTitle': '“{query}”: search {scope}',
  'site.matches': '{count, plural, one {# article matches} other {# articles match}} “{query}”.',
  'site.matchesCapped':
    '{count, plural, one {# article matches} other {# articles match}} “{query}” (the best {shown} are shown).',
  'site.noMatch': 'No article matches “{query}”. Try other words, or {browse}.',
  'site.browse': 'browse every issue',
  'site.inIssue': 'In {issue}',
} as const;

export type MessageKey = keyof typeof en;
