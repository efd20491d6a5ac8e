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
} as const;

export type MessageKey = keyof typeof en;
