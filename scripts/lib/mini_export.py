"""A minimal lean4export 3.1 NDJSON writer for hand-made test exports (names, levels,
expressions, axioms, definitions, theorems and enumeration inductives with their recursors).
Used by make_policy_corpora.py."""
import json
class B:
    def __init__(s):
        s.lines=[json.dumps({"meta":{"exporter":{"name":"lean4export","version":"3.1.0"},"format":{"version":"3.1.0"},"lean":{"githash":"","version":"4.0.0"}}})]
        s.names={():0}; s.levels={('z',):0}; s.exprs={}
    def n(s,dotted):
        parts=tuple(dotted.split('.')) if dotted else ()
        for i in range(1,len(parts)+1):
            p=parts[:i]
            if p not in s.names:
                s.names[p]=len(s.names)
                s.lines.append(json.dumps({"in":s.names[p],"str":{"pre":s.names[p[:-1]],"str":p[-1]}}))
        return s.names[parts]
    def lv(s,key):
        # key: ('z',) | ('s',k) | ('p',name)
        if key in s.levels: return s.levels[key]
        if key[0]=='s': d={"succ":s.lv(key[1])}
        elif key[0]=='p': d={"param":s.n(key[1])}
        elif key[0]=='m': d={"max":[s.lv(key[1]),s.lv(key[2])]}
        i=len(s.levels); s.levels[key]=i; d["il"]=i; s.lines.append(json.dumps(d)); return i
    def e(s,key,d):
        if key in s.exprs: return s.exprs[key]
        i=len(s.exprs); s.exprs[key]=i; d=dict(d); d["ie"]=i; s.lines.append(json.dumps(d)); return i
    def sort(s,l): return s.e(('sort',l),{"sort":s.lv(l)})
    def prop(s): return s.sort(('z',))
    def type0(s): return s.sort(('s',('z',)))
    def c(s,name,us=()):
        ls=[s.lv(u) for u in us]; return s.e(('c',name,tuple(ls)),{"const":{"name":s.n(name),"us":ls}})
    def bv(s,i): return s.e(('bv',i),{"bvar":i})
    def app(s,f,*args):
        for a in args: f=s.e(('app',f,a),{"app":{"fn":f,"arg":a}})
        return f
    def lam(s,nm,t,b,bi="default"): return s.e(('lam',nm,t,b,bi),{"lam":{"binderInfo":bi,"body":b,"name":s.n(nm),"type":t}})
    def pi(s,nm,t,b,bi="default"): return s.e(('pi',nm,t,b,bi),{"forallE":{"binderInfo":bi,"body":b,"name":s.n(nm),"type":t}})
    def strlit(s,v): return s.e(('str',v),{"strVal":v})
    def natlit(s,v): return s.e(('nat',v),{"natVal":str(v)})
    def axiom(s,name,t,lps=(),unsafe=False):
        s.lines.append(json.dumps({"axiom":{"isUnsafe":unsafe,"levelParams":[s.n(p) for p in lps],"name":s.n(name),"type":t}}))
    def defn(s,name,t,v,lps=(),safety="safe",hints=None):
        s.lines.append(json.dumps({"def":{"all":[s.n(name)],"hints":hints or {"regular":1},"levelParams":[s.n(p) for p in lps],"name":s.n(name),"safety":safety,"type":t,"value":v}}))
    def thm(s,name,t,v,lps=()):
        s.lines.append(json.dumps({"thm":{"all":[s.n(name)],"levelParams":[s.n(p) for p in lps],"name":s.n(name),"type":t,"value":v}}))
    def enum_type(s,name,ctors,sortlvl=('s',('z',))):
        """non-recursive enumeration inductive (no params, no indices) in Sort sortlvl; large elim if Type or ≤1 ctor"""
        T=s.c(name); srt=s.sort(sortlvl)
        large = sortlvl!=('z',) or len(ctors)<=1
        u=('p','u')
        rec_lps=['u'] if large else []
        motsort=s.sort(u) if large else s.prop()
        mot_t=s.pi('t',T,motsort)
        # rec type: {motive : T -> Sort u} -> (minor_i : motive ctor_i) -> (t:T) -> motive t
        nm=len(ctors)
        # build body from inside out; under motive (1) + nm minors + t
        body=s.app(s.bv(nm+1),s.bv(0))  # motive t
        body=s.pi('t',T,body)
        for i in reversed(range(nm)):
            # minor i is under motive and i previous minors: motive is bv(i)
            body=s.pi(ctors[i].split('.')[-1],s.app(s.bv(i),s.c(ctors[i])),body)
        rect=s.pi('motive',mot_t,body,"implicit")
        rules=[]
        for i,cn in enumerate(ctors):
            # fun motive minors... => minor_i ; under motive + nm minors, minor_i is bv(nm-1-i)
            rhs=s.bv(nm-1-i)
            for j in reversed(range(nm)):
                rhs=s.lam(ctors[j].split('.')[-1],s.app(s.bv(j),s.c(ctors[j])),rhs)
            rhs=s.lam('motive',mot_t,rhs,"implicit")
            rules.append({"ctor":s.n(cn),"nfields":0,"rhs":rhs})
        ind={"inductive":{"ctors":[{"cidx":i,"induct":s.n(name),"isUnsafe":False,"levelParams":[],"name":s.n(cn),"numFields":0,"numParams":0,"type":T} for i,cn in enumerate(ctors)],
             "recs":[{"all":[s.n(name)],"isUnsafe":False,"k":(sortlvl==('z',) and nm==1),"levelParams":[s.n(p) for p in rec_lps],"name":s.n(name+".rec"),"numIndices":0,"numMinors":nm,"numMotives":1,"numParams":0,"rules":rules,"type":rect}],
             "types":[{"all":[s.n(name)],"ctors":[s.n(cn) for cn in ctors],"isRec":False,"isReflexive":False,"isUnsafe":False,"levelParams":[],"name":s.n(name),"numIndices":0,"numNested":0,"numParams":0,"type":srt}]}}
        s.lines.append(json.dumps(ind))
    def write(s,path):
        open(path,'w').write("\n".join(s.lines)+"\n")
