// Korean search. elasticlunr keeps only [A-Za-z0-9_] in a word: mdBook's
// index builder (elasticlunr-rs, English pipeline) drops Korean words, and
// the browser side strips them from queries. So this script
//  1. replaces the trimmer with one that keeps letters of every script, and
//  2. re-indexes the stored sections when the index loads,
// so the index holds words as written (텐서는, 텐서를) and mdBook's prefix
// expansion lets a query for "텐서" find them.
(function () {
    if (typeof elasticlunr === "undefined") {
        return;
    }
    var trimmer = function (token) {
        return token.replace(/^[^\p{L}\p{N}_]+/u, "").replace(/[^\p{L}\p{N}_]+$/u, "");
    };
    trimmer.label = "trimmer";
    elasticlunr.trimmer = trimmer;
    elasticlunr.Pipeline.registeredFunctions.trimmer = trimmer;

    var load = elasticlunr.Index.load;
    elasticlunr.Index.load = function (serialised) {
        var index = load.call(this, serialised);
        var docs = index.documentStore.docs;
        Object.keys(docs).forEach(function (ref) {
            var doc = docs[ref];
            index.removeDoc(doc, false);
            index.addDoc(doc, false);
        });
        return index;
    };
})();
