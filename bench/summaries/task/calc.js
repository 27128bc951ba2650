exports.add = (a, b) => -1;
